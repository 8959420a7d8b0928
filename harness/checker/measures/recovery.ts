import { effectSeriesOf } from '../availability-figures.ts';
import { applied, num } from '../inputs.ts';
import type { Measure, RecoveryMeasure } from '../types.ts';

/** Longest stretch in [from, to] without an element of the sorted `times`. */
function longestGap(times: Float64Array, from: number, to: number): number {
  let prev = from;
  let gap = 0;
  for (let i = firstIndexAtOrAfter(times, from); i < times.length; i++) {
    const t = times[i] ?? 0;
    if (t > to) break;
    gap = Math.max(gap, t - prev);
    prev = t;
  }
  return Math.max(gap, to - prev);
}

function firstIndexAtOrAfter(sorted: Float64Array, at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Recovery after each healed fault: the first effect after the heal, when the backlog of
 * events sent before the heal cleared, and the longest stall inside the fault window.
 * An unreadable sink measures as no effects at all (the rules make the run unknown).
 * Sorted once per transport, then binary searches per fault: a soak's hundreds of faults
 * over 10^6 events cost seconds, not minutes.
 */
export const recovery: Measure<never> = {
  name: 'recovery',
  needs: [],
  columns: [],
  run({ ids, sink, faults }) {
    if (faults.length === 0) return { recovery: [] };
    const series = effectSeriesOf(ids, sink ?? new Map());
    // Every effect in the sink, attempted or not, as this measure has always counted them.
    const effects = Float64Array.from(
      [...(sink?.values() ?? [])].filter(applied).map((r) => num(r.firstEffectMs)),
    ).sort();
    const windows = faults.map((f): RecoveryMeasure => {
      const first = effects[firstIndexAtOrAfter(effects, f.healWall)];
      const sentBefore = firstIndexAtOrAfter(series.sent, f.healWall);
      const last = sentBefore > 0 ? series.prefMaxEffect[sentBefore - 1] : undefined;
      return {
        firstEffectMs: first === undefined ? null : first - f.healWall,
        backlogMs: last === undefined ? null : Math.max(0, last - f.healWall),
        longestGapMs: longestGap(effects, f.startWall, f.healWall),
      };
    });
    return { recovery: windows };
  },
};
