import { applied, num } from '../inputs.ts';
import type { Measure, RecoveryMeasure } from '../types.ts';

/** Longest stretch in [from, to] without an element of the sorted `times`. */
function longestGap(times: readonly number[], from: number, to: number): number {
  let prev = from;
  let gap = 0;
  for (const t of times) {
    if (t < from) continue;
    if (t > to) break;
    gap = Math.max(gap, t - prev);
    prev = t;
  }
  return Math.max(gap, to - prev);
}

function firstAtOrAfter(sorted: readonly number[], at: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < at) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo];
}

/**
 * Recovery after each healed fault: the first effect after the heal, when the backlog of
 * events sent before the heal cleared, and the longest stall inside the fault window.
 * An unreadable sink measures as no effects at all (the rules make the run unknown).
 */
export const recovery: Measure<never> = {
  name: 'recovery',
  needs: [],
  columns: [],
  run({ ids, sink, faults }) {
    const effects: number[] = [];
    for (const rec of sink?.values() ?? []) if (applied(rec)) effects.push(num(rec.firstEffectMs));
    effects.sort((a, b) => a - b);
    const lastEffectOfSentBefore = (healWall: number): number | undefined => {
      let last: number | undefined;
      for (const [id, s] of ids) {
        const rec = sink?.get(id);
        if (!applied(rec) || s.invokeWall >= healWall) continue;
        const at = num(rec.firstEffectMs);
        if (last === undefined || at > last) last = at;
      }
      return last;
    };
    const windows = faults.map((f): RecoveryMeasure => {
      const first = firstAtOrAfter(effects, f.healWall);
      const last = lastEffectOfSentBefore(f.healWall);
      return {
        firstEffectMs: first === undefined ? null : first - f.healWall,
        backlogMs: last === undefined ? null : Math.max(0, last - f.healWall),
        longestGapMs: longestGap(effects, f.startWall, f.healWall),
      };
    });
    return { recovery: windows };
  },
};
