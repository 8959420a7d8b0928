// Mocha's spec reporter plus one plain closing line, `N passed, N failed, N skipped`, which
// CI reads to know how many tests really ran. When JUNIT_FILE names a file, mocha's JUnit
// (xunit) reporter also writes the run there, for CI systems that show test reports.
'use strict';
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = process.env.JUNIT_FILE;
    if (file) {
      const reporterOptions = { suiteName: 'mocha', ...options.reporterOptions, output: file };
      this.junit = new Mocha.reporters.XUnit(runner, { ...options, reporterOptions });
    }
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      process.stdout.write(`\n${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }

  /** Mocha waits on this before it exits: the JUnit file is complete on disk by then. */
  done(failures, fn) {
    if (this.junit) this.junit.done(failures, fn);
    else fn(failures);
  }
}

module.exports = SummaryReporter;
