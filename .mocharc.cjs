// Mocha's settings for every suite (npm test, test:unit, test:integration, test:fault).
// CommonJS, not JSON, for one setting that depends on where it runs: under CI (CI=true, as
// .ci/run sets it) a forgotten `.only` fails the run instead of silently skipping the rest.
'use strict';

module.exports = {
  import: 'tsx',
  timeout: 120000,
  exit: true,
  // The spec reporter, the plain `N passed, N failed` line CI reads, and a JUnit file when
  // JUNIT_FILE names one.
  reporter: 'test/support/summary-reporter.cjs',
  require: ['test/support/infra.ts'],
  forbidOnly: process.env.CI === 'true',
};
