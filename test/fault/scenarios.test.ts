import { expect } from 'chai';
import type { Scenario } from '../../harness/scenario.ts';
import { CLUSTER_SCENARIOS, SCENARIOS, getScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../harness/run-scenario.ts';
import { applyOverrides } from '../../harness/scenario-overrides.ts';
import { formatSummary } from '../../harness/summary-table.ts';
import { drivers } from '../../lib/transports/registry.ts';
import type { Infra } from '../../harness/infra/index.ts';
import { useClusterInfra, useInfra } from '../support/infra.ts';

/**
 * The scenarios a driver's variant (Kafka on @platformatic/kafka) must pass too, on its own
 * transport only: the control run and every fault that touches the client, so the suite
 * stays short.
 */
const VARIANT_SCENARIOS = [
  'smoke',
  'crash-consumer',
  'consumer-outage',
  'late-consumers',
  'graceful-restart',
  'worker-pause',
  'partition-workers',
  'partition-producer',
  'broker-restart',
  'poison-message',
];

/** The test of one scenario on the infrastructure `infra` gives. */
const provesOn = (infra: () => Infra) => (scenario: Scenario, seed: string) =>
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
  };

/**
 * The CI fault-injection suite: every scenario of the catalogue on real infrastructure,
 * with a fixed seed so a failure can be replayed with `npm run scenario <name> -- --seed`.
 * A run passes only if the checker finds nothing lost, doubled, unexpected or pending AND
 * the scenario's expectations show that its faults really bit.
 */
describe('fault scenarios (real brokers, real faults)', function () {
  const proves = provesOn(useInfra());

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.description}`, proves(scenario, `ci-${scenario.name}`));
  }

  for (const driver of drivers) {
    for (const variant of driver.variants ?? []) {
      describe(`on ${driver.name} (${variant.name})`, function () {
        for (const name of VARIANT_SCENARIOS) {
          const base = getScenario(name);
          if (!base) throw new Error(`no scenario ${name}`);
          const scenario = applyOverrides(base, { transports: [driver.name], env: variant.env });
          // Seeds stay within --seed's 32 characters: ci-partition-producer-plat.
          it(
            `${name}: ${base.description}`,
            proves(scenario, `ci-${name}-${variant.name.slice(0, 4)}`),
          );
        }
      });
    }
  }
});

/** Faults aimed at broker roles, on one cluster (3 Kafka nodes, Redis with Sentinel) they share. */
describe('cluster fault scenarios (replicated brokers, role faults)', function () {
  const proves = provesOn(useClusterInfra());
  for (const scenario of CLUSTER_SCENARIOS) {
    it(`${scenario.name}: ${scenario.description}`, proves(scenario, `ci-${scenario.name}`));
  }
});
