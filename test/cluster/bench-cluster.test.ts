/**
 * The bench's --cluster measurement, in process on the shared cluster: Kafka ingest through
 * the producer against each raw client, acks=all on RF 3. Figures are reported, never timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runBench } from '../../bench/run-bench.ts';
import { subjectLabel } from '../../bench/subjects.ts';
import { useClusterInfra } from '../support/infra.ts';

describe('npm run bench -- --cluster (Kafka ingest on 3 nodes, RF 3, acks=all)', function () {
  const infra = useClusterInfra();

  it('measures the producer, the raw client and the broker tool for both Kafka clients', async function () {
    this.timeout(300000);
    const resultsDir = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
    try {
      const result = await runBench({
        quick: true,
        cluster: true,
        transports: ['kafka'],
        resultsDir,
        infra: infra(),
      });
      expect(result.errors).to.deep.equal([]);
      expect(result.infra.topology).to.equal('cluster');
      expect(result.ingest.map(subjectLabel)).to.deep.equal(['kafka', 'kafka (platformatic)']);
      expect(result.single).to.deep.equal([]);
      for (const i of result.ingest) {
        const label = subjectLabel(i);
        expect(i.producerFailures, `${label} producer failures`).to.deep.equal({});
        for (const v of [i.producerEventsPerS, i.rawEventsPerS, i.ratio, i.tool?.eventsPerS])
          expect(Number.isFinite(v) && (v ?? 0) > 0, `${label}: ${String(v)}`).to.equal(true);
        process.stderr.write(
          `      ${label}: producer ${Math.round(i.producerEventsPerS)} ev/s, raw ${Math.round(i.rawEventsPerS)} ev/s, ratio ${i.ratio.toFixed(2)}, ${i.tool?.name ?? ''} ${Math.round(i.tool?.eventsPerS ?? 0)} ev/s\n`,
        );
      }
    } finally {
      rmSync(resultsDir, { recursive: true, force: true });
    }
  });
});
