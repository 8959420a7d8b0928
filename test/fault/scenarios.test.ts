import { expect } from 'chai';
import { SCENARIOS } from '../../scenarios/index.ts';
import { runScenario } from '../../harness/run-scenario.ts';
import { formatSummary } from '../../harness/summary-table.ts';
import { useInfra } from '../support/infra.ts';

/**
 * The CI fault-injection suite: every scenario of the catalogue on real infrastructure,
 * with a fixed seed so a failure can be replayed with `npm run scenario <name> -- --seed`.
 * A run passes only if the checker finds nothing lost, doubled, unexpected or pending AND
 * the scenario's expectations show that its faults really bit.
 */
describe('fault scenarios (real brokers, real faults)', function () {
  const infra = useInfra();

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.description}`, async function () {
      this.timeout(300000);
      const needsServers = scenario.schedule.some((s) => s.fault.kind === 'broker-restart');
      if (needsServers && infra().servers.size === 0) {
        process.stderr.write(
          `      skipped: ${infra().provider} infrastructure cannot be killed and restarted by the harness\n`,
        );
        this.skip();
      }
      const outcome = await runScenario({
        scenario,
        seed: `ci-${scenario.name}`,
        infra: infra(),
        outDir: 'runs/ci',
      });
      const summary = formatSummary(outcome.result, outcome.expectations);
      process.stderr.write(`${summary}\n      ${outcome.wallS.toFixed(1)} s, ${outcome.runDir}\n`);
      expect(outcome.result.anomalies, summary).to.deep.equal([]);
      expect(
        outcome.result.valid,
        `${summary}\n${outcome.result.unknownReasons.join('\n')}`,
      ).to.equal(true);
      expect(outcome.expectations.failures, 'the faults must bite').to.deep.equal([]);
    });
  }
});
