import { expect } from 'chai';
import { FAILPOINTS } from '../../lib/failpoints.ts';
import { runScenario } from '../../harness/run-scenario.ts';
import { applyOverrides } from '../../harness/scenario-overrides.ts';
import { formatSummary } from '../../harness/summary-table.ts';
import { getScenario } from '../../scenarios/index.ts';
import { CLUSTER_FAILPOINT_CASES } from '../support/cluster-failpoint-cases.ts';
import { useClusterInfra } from '../support/infra.ts';

describe('failpoints on the cluster: unsafe ack settings lose acknowledged writes', function () {
  const infra = useClusterInfra();

  for (const c of CLUSTER_FAILPOINT_CASES) {
    it(`${c.failpoint} (${FAILPOINTS[c.failpoint]}) is caught as lost under ${c.scenario} within ${c.tries} seeded runs`, async function () {
      this.timeout(c.tries * 180000);
      const base = getScenario(c.scenario);
      if (!base) throw new Error(`no scenario ${c.scenario}`);
      const scenario = applyOverrides(base, { transports: c.transports });
      const summaries: string[] = [];
      for (let i = 1; i <= c.tries; i++) {
        const o = await runScenario({
          scenario,
          seed: `fp-${c.failpoint}-${i}`,
          infra: infra(),
          outDir: 'runs/failpoints',
          failpoints: [c.failpoint],
        });
        const summary = formatSummary(o.result, o.expectations);
        process.stderr.write(`${summary}\n      try ${i}: ${o.wallS.toFixed(1)} s, ${o.runDir}\n`);
        summaries.push(summary);
        if (o.result.anomalies.includes('lost')) {
          expect(o.valid, summary).to.equal(false);
          return;
        }
      }
      expect.fail(`${c.failpoint} lost nothing in ${c.tries} runs:\n${summaries.join('\n')}`);
    });
  }
});
