import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { expect } from 'chai';
import { markBrokerLogs } from '../../harness/broker-log-excerpt.ts';
import type { Infra } from '../../harness/infra/index.ts';
import { runScenario } from '../../harness/run-scenario.ts';
import type { Scenario } from '../../harness/scenario.ts';
import { formatSummary } from '../../harness/summary-table.ts';

/** The test of one scenario on the infrastructure `infra` gives. */
export const provesOn = (infra: () => Infra) => (scenario: Scenario, seed: string) =>
  async function (this: Mocha.Context) {
    this.timeout(300000);
    const needsServers = scenario.schedule.some((s) => s.fault.kind === 'broker-restart');
    if (needsServers && infra().servers.size === 0) {
      process.stderr.write(
        `      skipped: ${infra().provider} infrastructure cannot be killed and restarted by the harness\n`,
      );
      this.skip();
    }
    const outcome = await runScenario({ scenario, seed, infra: infra(), outDir: 'runs/ci' });
    const summary = formatSummary(outcome.result, outcome.expectations);
    process.stderr.write(`${summary}\n      ${outcome.wallS.toFixed(1)} s, ${outcome.runDir}\n`);
    expect(outcome.result.anomalies, summary).to.deep.equal([]);
    expect(
      outcome.result.valid,
      `${summary}\n${outcome.result.unknownReasons.join('\n')}`,
    ).to.equal(true);
    expect(outcome.expectations.failures, 'the faults must bite').to.deep.equal([]);
    if ((await markBrokerLogs(infra())).length > 0 && outcome.result.perTransport.kafka) {
      // The coordinator's account of the run's group, for whoever reads a failed run.
      const excerpt = await readFile(join(outcome.runDir, 'kafka-brokers.log'), 'utf8');
      expect(excerpt).to.include(`Stabilized group workers-${basename(outcome.runDir)}`);
    }
  };
