import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repeatRuns } from '../../harness/repeat.ts';
import { runScenario } from '../../harness/run-scenario.ts';
import { applyOverrides } from '../../harness/scenario-overrides.ts';
import { formatSummary } from '../../harness/summary-table.ts';
import { getScenario } from '../../scenarios/index.ts';
import { useInfra } from '../support/infra.ts';

/**
 * A short soak (`npm run scenario soak -- --duration 45 --seed ci-soak.5`): faults drawn
 * through the whole load, the history streamed to disk as it goes, the harness's memory
 * bounded; and one real `--repeat`, stopping at its first failing run. The seed draws three
 * faults in 45 s (a sink outage, the producer's link cut, then the workers'); the long
 * soaks are in the README.
 */
const LOAD_SEC = 45;

describe('soak and repeat (real brokers, real faults)', function () {
  const infra = useInfra();

  it(`soak --duration ${LOAD_SEC} is valid, streams its history and stays small`, async function () {
    this.timeout(600000);
    const outDir = mkdtempSync(join(tmpdir(), 'soak-'));
    const sizes: number[] = [];
    let peakRss = 0;
    try {
      const outcome = await runScenario({
        scenario: applyOverrides(getScenario('soak')!, { durationSec: LOAD_SEC }),
        seed: 'ci-soak.5',
        infra: infra(),
        outDir,
        onProgress: (p) => {
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
          const [dir] = readdirSync(outDir);
          if (p.phase === 'load' && dir)
            sizes.push(statSync(join(outDir, dir, 'history.ndjson')).size);
        },
      });
      const summary = formatSummary(outcome.result, outcome.expectations);
      process.stderr.write(
        `${summary}\n      ${outcome.wallS.toFixed(1)} s, peak RSS ${Math.round(peakRss / 2 ** 20)} MB\n`,
      );
      expect(outcome.result.anomalies, summary).to.deep.equal([]);
      expect(outcome.valid, `${summary}\n${outcome.result.unknownReasons.join('\n')}`).to.equal(
        true,
      );
      expect(outcome.schedule.length, 'faults through the load').to.be.at.least(3);
      expect(Math.max(...outcome.schedule.map((s) => s.at))).to.be.above(LOAD_SEC / 2);
      // On disk while the load ran, growing: not held until the end.
      const grew = sizes.filter((s, i) => i > 0 && s > (sizes[i - 1] ?? 0)).length;
      expect(grew, `history sizes during the load: ${sizes.join(' ')}`).to.be.at.least(20);
      const lines = readFileSync(join(outcome.runDir, 'history.ndjson'), 'utf8').split('\n');
      // A sample a second while the load runs.
      const samples = lines.filter((l) => l.includes('"type":"sample"')).length;
      expect(samples).to.be.at.least(LOAD_SEC * 0.9);
      expect(peakRss).to.be.below(1.5 * 2 ** 30);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('--repeat stops at the first run that is not valid and names its seed', async function () {
    this.timeout(300000);
    const scenario = applyOverrides(getScenario('smoke')!, {
      messages: 100,
      transports: ['redis'],
    });
    const ran: string[] = [];
    const r = await repeatRuns({
      times: 3,
      seed: (i) => `ci-repeat.${i + 1}`,
      run: async (seed) => {
        ran.push(seed);
        // early-202 loses every 10th request (20 of 5 events here): the first run already fails.
        return runScenario({
          scenario,
          seed,
          infra: infra(),
          outDir: 'runs/ci',
          failpoints: ['early-202'],
        });
      },
    });
    expect(ran).to.deep.equal(['ci-repeat.1']);
    expect(r.runs).to.equal(1);
    expect(r.failed?.seed).to.equal('ci-repeat.1');
    expect(r.failed?.outcome.result.anomalies).to.include('lost');
  });
});
