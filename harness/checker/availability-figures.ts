import type { SinkRecord } from '../../lib/sink.ts';
import type { IdState, OpLog } from '../history-index.ts';
import { applied, num } from './inputs.ts';

/**
 * The two availability figures of one fault on one transport, computed from sorted arrays
 * so a run of 10^6 events with a fault every few seconds stays a few binary searches and
 * a short scan per fault.
 *
 * - Publish unavailability window: from the first request that failed (`fail` or `info`)
 *   once the fault began, sent before its heal, to the first `ok` of a request sent after
 *   that one, answered after the window began. Starts at the later of the fault's start and
 *   that request's send (the client was waiting from then). 0 when no request failed; until
 *   the end of the run when none succeeded afterwards.
 * - Consumption stall: the longest time, from the fault's start until the events sent
 *   before its heal were all applied, during which some event had been sent and not yet
 *   applied and none was applied. Unlike the recovery's `longestGapMs`, an idle consumer
 *   with nothing to do (the producer was cut off) is not a stall.
 */

/** Requests sorted by send time. */
export interface SortedOps {
  invoke: Float64Array;
  done: Float64Array;
  ok: Uint8Array;
  /** Longest request, ms: how far before a fault a request still in flight may have started. */
  maxSpanMs: number;
}

export function sortOps(log: OpLog | undefined): SortedOps {
  const n = log?.invoke.length ?? 0;
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const inv = log?.invoke ?? [];
  order.sort((a, b) => (inv[a] ?? 0) - (inv[b] ?? 0));
  const sorted: SortedOps = {
    invoke: new Float64Array(n),
    done: new Float64Array(n),
    ok: new Uint8Array(n),
    maxSpanMs: 0,
  };
  order.forEach((from, to) => {
    sorted.invoke[to] = inv[from] ?? 0;
    sorted.done[to] = log?.done[from] ?? 0;
    sorted.ok[to] = log?.ok[from] ?? 0;
    sorted.maxSpanMs = Math.max(
      sorted.maxSpanMs,
      (sorted.done[to] ?? 0) - (sorted.invoke[to] ?? 0),
    );
  });
  return sorted;
}

/** First index whose value is >= `x` (values ascending). */
function lowerBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The publish unavailability window of a fault in [start, heal] (run times, ms). */
export function unavailableMs(ops: SortedOps, start: number, heal: number, endTime: number) {
  const n = ops.invoke.length;
  let first = -1;
  for (let i = lowerBound(ops.invoke, start - ops.maxSpanMs); i < n; i++) {
    if ((ops.invoke[i] ?? 0) > heal) break;
    if (ops.ok[i] === 1 || (ops.done[i] ?? 0) < start) continue;
    if (first < 0 || (ops.done[i] ?? 0) < (ops.done[first] ?? 0)) first = i;
  }
  if (first < 0) return 0;
  const from = Math.max(start, ops.invoke[first] ?? 0);
  let until = Infinity;
  for (let i = first + 1; i < n && (ops.invoke[i] ?? 0) < until; i++) {
    // A request sent after the failing one that was answered before the fault began shows
    // nothing about recovery (and would make the window negative).
    const done = ops.done[i] ?? Infinity;
    if (ops.ok[i] === 1 && done >= from) until = Math.min(until, done);
  }
  return Math.round((until === Infinity ? endTime : until) - from);
}

/** Applied events: effect times ascending with the earliest send among them and later ones. */
export interface EffectSeries {
  effect: Float64Array;
  /** sufMinSent[i]: earliest send (wall ms) of the events applied at effect[i] or later. */
  sufMinSent: Float64Array;
  /** Sends ascending, and the latest effect among the events sent up to each. */
  sent: Float64Array;
  prefMaxEffect: Float64Array;
}

function sortedBy(keys: Float64Array): Uint32Array {
  return Uint32Array.from({ length: keys.length }, (_, i) => i).sort(
    (a, b) => (keys[a] ?? 0) - (keys[b] ?? 0),
  );
}

export function effectSeries(
  ids: ReadonlyMap<string, IdState>,
  sink: ReadonlyMap<string, SinkRecord>,
): EffectSeries {
  const effects: number[] = [];
  const sends: number[] = [];
  for (const [id, s] of ids) {
    const rec = sink.get(id);
    if (!applied(rec)) continue;
    effects.push(num(rec.firstEffectMs));
    sends.push(s.invokeWall);
  }
  const rawEffect = Float64Array.from(effects);
  const rawSent = Float64Array.from(sends);
  const byEffect = sortedBy(rawEffect);
  const bySent = sortedBy(rawSent);
  const n = effects.length;
  const series: EffectSeries = {
    effect: new Float64Array(n),
    sufMinSent: new Float64Array(n),
    sent: new Float64Array(n),
    prefMaxEffect: new Float64Array(n),
  };
  let min = Infinity;
  for (let i = n - 1; i >= 0; i--) {
    const j = byEffect[i] ?? 0;
    series.effect[i] = rawEffect[j] ?? 0;
    min = Math.min(min, rawSent[j] ?? 0);
    series.sufMinSent[i] = min;
  }
  let max = -Infinity;
  bySent.forEach((j, i) => {
    series.sent[i] = rawSent[j] ?? 0;
    max = Math.max(max, rawEffect[j] ?? 0);
    series.prefMaxEffect[i] = max;
  });
  return series;
}

const seriesCache = new WeakMap<
  ReadonlyMap<string, SinkRecord>,
  { ids: ReadonlyMap<string, IdState>; series: EffectSeries }
>();

/** `effectSeries`, computed once per transport for the units that share it. */
export function effectSeriesOf(
  ids: ReadonlyMap<string, IdState>,
  sink: ReadonlyMap<string, SinkRecord>,
): EffectSeries {
  const cached = seriesCache.get(sink);
  if (cached?.ids === ids) return cached.series;
  const series = effectSeries(ids, sink);
  seriesCache.set(sink, { ids, series });
  return series;
}

/** The consumption stall of a fault from `startWall`, healed at `healWall` (wall ms). */
export function stallMs(series: EffectSeries, startWall: number, healWall: number): number {
  const sentBefore = lowerBound(series.sent, healWall);
  const backlogEnd = Math.max(healWall, series.prefMaxEffect[sentBefore - 1] ?? -Infinity);
  let stall = 0;
  const n = series.effect.length;
  for (let i = lowerBound(series.effect, startWall + 1e-9); i < n; i++) {
    const prev = i > 0 ? (series.effect[i - 1] ?? -Infinity) : -Infinity;
    if (prev >= backlogEnd) break;
    const waitingFrom = Math.max(prev, series.sufMinSent[i] ?? Infinity, startWall);
    stall = Math.max(stall, (series.effect[i] ?? 0) - waitingFrom);
  }
  return Math.round(stall);
}
