import { summarize } from '../../percentiles.ts';
import { applied, num } from '../inputs.ts';
import type { Column, Measure } from '../types.ts';

/** [summary field, result.json key, terminal header, report label, in the terminal]. */
const QUANTILES = [
  ['p50', 'latencyP50Ms', 'p50ms', 'latency p50 ms', true],
  ['p95', 'latencyP95Ms', 'p95ms', 'latency p95 ms', false],
  ['p99', 'latencyP99Ms', 'p99ms', 'latency p99 ms', true],
  ['max', 'latencyMaxMs', 'maxms', 'latency max ms', true],
] as const;

const columns: Column[] = QUANTILES.map(([q, key, short, label, terminal]) => ({
  key,
  short,
  label,
  value: (r) => r.latencyMs[q],
  terminal,
}));

/** End to end, for acknowledged events: invoke of the request that was `ok` -> first effect. */
export const latency: Measure<'sink'> = {
  name: 'latency',
  needs: ['sink'],
  columns,
  run({ ids, sink }) {
    const samples: number[] = [];
    for (const [id, rec] of sink) {
      const s = ids.get(id);
      if (applied(rec) && s?.outcome === 'ok') samples.push(num(rec.firstEffectMs) - s.invokeWall);
    }
    return { fields: { latencyMs: summarize(samples) } };
  },
};
