import { TRANSPORTS, type TransportName } from '../lib/envelope.ts';
import type { SinkRecord } from '../lib/sink.ts';
import type { DeadLetter, PendingState } from '../lib/transports/types.ts';
import type { HistoryEntry } from './history.ts';
import { indexHistory, type HistoryIndex, type IdState } from './history-index.ts';
import { summarize, type LatencySummary } from './percentiles.ts';

/**
 * The checker: a pure function of the history and the final state of sink and brokers.
 * It never throws; anything it cannot judge makes the result `'unknown'` with a reason.
 *
 * Must-be-zero rules (any breach: valid = false): lost, unexpected, double-effect, pending,
 * dead-letter-missing, dead-letter-unexpected, poison-effect. Reported only: redeliveries,
 * recovered (info ids that were processed), unrecovered (info ids that were not).
 */

/** A transport's sink records: `lib/sink.ts` rows, `[id, record]` pairs (a Map) or an object by id. */
export type SinkSource =
  | Iterable<SinkRecord>
  | Iterable<readonly [string, SinkRecord]>
  | Readonly<Record<string, SinkRecord>>;

type PerTransport<T> = Partial<Record<TransportName, T | null | undefined>>;

export interface CheckInput {
  history: Iterable<HistoryEntry>;
  /** Transports to judge (default: those in the history). */
  transports?: readonly TransportName[];
  /** Sink records per transport. Missing or null: unreadable, the transport is 'unknown'. */
  sink: PerTransport<SinkSource>;
  /** Broker state after the drain. Missing: 'unknown'. */
  pending?: PerTransport<PendingState> | Iterable<PendingState>;
  /** Dead letters per transport. Missing: 'unknown'. */
  deadLetters?: PerTransport<Iterable<DeadLetter>>;
  /** Poison ids sent, in addition to those marked on `invoke` entries. */
  poisonIds?: Iterable<string>;
  /** Problems the caller met while gathering inputs; each makes the result 'unknown'. */
  inputErrors?: readonly string[];
  /** Sample ids kept per anomaly (default 5). */
  samplesPerAnomaly?: number;
}

export type Validity = true | false | 'unknown';

export const ANOMALIES = [
  'lost',
  'unexpected',
  'double-effect',
  'pending',
  'dead-letter-missing',
  'dead-letter-unexpected',
  'poison-effect',
] as const;
export type AnomalyKind = (typeof ANOMALIES)[number];

/** Id lists kept as samples: the anomalies plus the reported-only classes. */
export type SampleKind = AnomalyKind | 'redelivered' | 'recovered' | 'unrecovered';

export interface TransportCounts {
  /** Distinct ids invoked. */
  attempted: number;
  /** Distinct ids by best outcome over their attempts (ok > info > fail). */
  ok: number;
  fail: number;
  info: number;
  poisonSent: number;
  poisonOk: number;
  /** Sink records with at least one effect. */
  processed: number;
  lost: number;
  unexpected: number;
  doubleEffects: number;
  redeliveries: number;
  recovered: number;
  unrecovered: number;
  deadLettered: number;
  deadLetterMissing: number;
  deadLetterUnexpected: number;
  poisonEffects: number;
  /** Unacknowledged at the end; null when unknown. */
  pending: number | null;
}

export interface TransportResult extends TransportCounts {
  valid: Validity;
  anomalies: AnomalyKind[];
  unknownReasons: string[];
  pendingDetail: Record<string, number>;
  /** End to end: from the invoke of the acknowledged request to the first sink effect. */
  latencyMs: LatencySummary;
}

/**
 * Recovery after one healed fault, per transport:
 * - `firstEffectMs`: heal -> first sink effect after it (null: nothing processed after).
 * - `backlogMs`: heal -> last effect of the events sent before the heal, i.e. how long
 *   the backlog built during the fault took to clear (0 if it was already clear).
 * - `longestGapMs`: longest stretch without any effect inside the fault window, edges
 *   included: how long consumption stalled.
 */
export interface RecoveryWindow {
  fault: string;
  target?: string;
  /** Run times (ms since start). */
  start: number;
  heal: number;
  perTransport: Partial<
    Record<
      TransportName,
      { firstEffectMs: number | null; backlogMs: number | null; longestGapMs: number }
    >
  >;
}

export interface CheckResult {
  valid: Validity;
  /** Broken rules, e.g. `['lost', 'pending']`. */
  anomalies: AnomalyKind[];
  /** Why the result is (also) unknown. */
  unknownReasons: string[];
  /** Sums over transports. */
  counts: TransportCounts;
  perTransport: Partial<Record<TransportName, TransportResult>>;
  recovery: RecoveryWindow[];
  /** A few ids per broken rule and per reported class, keyed `transport/kind`. */
  samples: Record<string, string[]>;
}

const ZERO: TransportCounts = {
  attempted: 0,
  ok: 0,
  fail: 0,
  info: 0,
  poisonSent: 0,
  poisonOk: 0,
  processed: 0,
  lost: 0,
  unexpected: 0,
  doubleEffects: 0,
  redeliveries: 0,
  recovered: 0,
  unrecovered: 0,
  deadLettered: 0,
  deadLetterMissing: 0,
  deadLetterUnexpected: 0,
  poisonEffects: 0,
  pending: 0,
};

function isPair(row: unknown): row is readonly [string, SinkRecord] {
  return Array.isArray(row) && typeof row[0] === 'string';
}

/** Normalizes any accepted sink shape to a Map. */
export function toSinkMap(source: SinkSource): Map<string, SinkRecord> {
  if (source instanceof Map) return source as Map<string, SinkRecord>;
  const out = new Map<string, SinkRecord>();
  if (typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const row of source as Iterable<unknown>) {
      if (isPair(row)) out.set(row[0], row[1]);
      else if (row && typeof (row as { id?: unknown }).id === 'string') {
        const rec = row as SinkRecord;
        out.set(rec.id, rec);
      }
    }
    return out;
  }
  for (const [id, rec] of Object.entries(source as Record<string, SinkRecord>)) out.set(id, rec);
  return out;
}

function pendingFor(
  input: CheckInput['pending'],
  t: TransportName,
): PendingState | null | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const p of input as Iterable<PendingState>) if (p.transport === t) return p;
    return undefined;
  }
  return (input as PerTransport<PendingState>)[t];
}

const num = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);

class Samples {
  readonly byKey: Record<string, string[]> = {};
  constructor(private readonly limit: number) {}
  add(t: TransportName, kind: SampleKind, id: string): void {
    const list = (this.byKey[`${t}/${kind}`] ??= []);
    if (list.length < this.limit) list.push(id);
  }
}

function checkTransport(
  t: TransportName,
  index: HistoryIndex,
  input: CheckInput,
  extraPoison: ReadonlySet<string>,
  samples: Samples,
): { result: TransportResult; effects: number[]; effectsBefore: (healWall: number) => number[] } {
  const states = index.ids.get(t) ?? new Map<string, IdState>();
  const c: TransportCounts = { ...ZERO, pending: null };
  const anomalies = new Set<AnomalyKind>();
  const reasons: string[] = [];
  const isPoison = (id: string, s: IdState | undefined) => !!s?.poison || extraPoison.has(id);

  for (const [id, s] of states) {
    c.attempted++;
    c[s.outcome]++;
    if (isPoison(id, s)) {
      c.poisonSent++;
      if (s.outcome === 'ok') c.poisonOk++;
    }
  }

  const sinkSource = input.sink[t];
  const sink = sinkSource ? toSinkMap(sinkSource) : undefined;
  if (!sink) reasons.push(`sink records for ${t} are missing`);

  const dlSource = input.deadLetters?.[t];
  const dead = new Set<string>();
  if (dlSource) for (const d of dlSource) dead.add(d.id);
  else reasons.push(`dead letters for ${t} are missing`);

  const latencies: number[] = [];
  const effects: number[] = [];
  if (sink) {
    for (const [id, rec] of sink) {
      const s = states.get(id);
      const effectCount = num(rec.effects);
      if (!s || s.outcome === 'fail') {
        c.unexpected++;
        samples.add(t, 'unexpected', id);
      }
      if (effectCount > 1) {
        c.doubleEffects++;
        samples.add(t, 'double-effect', id);
      }
      if (num(rec.deliveries) > 1) {
        c.redeliveries++;
        samples.add(t, 'redelivered', id);
      }
      if (effectCount < 1) continue;
      c.processed++;
      effects.push(num(rec.firstEffectMs));
      if (isPoison(id, s)) {
        c.poisonEffects++;
        samples.add(t, 'poison-effect', id);
      }
      if (s?.outcome === 'info') {
        c.recovered++;
        samples.add(t, 'recovered', id);
      }
      if (s?.outcome === 'ok') latencies.push(num(rec.firstEffectMs) - s.invokeWall);
    }
    for (const [id, s] of states) {
      const processed = num(sink.get(id)?.effects) >= 1;
      const poison = isPoison(id, s);
      if (s.outcome === 'ok' && !poison && !processed) {
        c.lost++;
        samples.add(t, 'lost', id);
      }
      if (s.outcome === 'info' && !processed && !(poison && dead.has(id))) {
        c.unrecovered++;
        samples.add(t, 'unrecovered', id);
      }
    }
  }

  if (dlSource) {
    c.deadLettered = dead.size;
    for (const id of dead) {
      const s = states.get(id);
      // Only poison that may have been published belongs in the DLQ.
      if (!isPoison(id, s) || !s || s.outcome === 'fail') {
        c.deadLetterUnexpected++;
        samples.add(t, 'dead-letter-unexpected', id);
      }
    }
    for (const [id, s] of states) {
      if (s.outcome === 'ok' && isPoison(id, s) && !dead.has(id)) {
        c.deadLetterMissing++;
        samples.add(t, 'dead-letter-missing', id);
      }
    }
  }

  const pending = pendingFor(input.pending, t);
  if (pending) c.pending = num(pending.pending);
  else reasons.push(`pending state for ${t} is missing`);

  // A run in which nothing was accepted cannot show that accepted events survive.
  if (c.ok === 0) reasons.push(`no ${t} event was accepted: nothing to check`);

  if (c.lost > 0) anomalies.add('lost');
  if (c.unexpected > 0) anomalies.add('unexpected');
  if (c.doubleEffects > 0) anomalies.add('double-effect');
  if (c.pending !== null && c.pending > 0) anomalies.add('pending');
  if (c.deadLetterMissing > 0) anomalies.add('dead-letter-missing');
  if (c.deadLetterUnexpected > 0) anomalies.add('dead-letter-unexpected');
  if (c.poisonEffects > 0) anomalies.add('poison-effect');

  effects.sort((a, b) => a - b);
  const effectsBefore = (healWall: number) => {
    const out: number[] = [];
    if (!sink) return out;
    for (const [id, s] of states) {
      const rec = sink.get(id);
      if (rec && num(rec.effects) >= 1 && s.invokeWall < healWall) out.push(num(rec.firstEffectMs));
    }
    return out;
  };

  const valid: Validity = anomalies.size > 0 ? false : reasons.length > 0 ? 'unknown' : true;
  return {
    result: {
      ...c,
      valid,
      anomalies: ANOMALIES.filter((a) => anomalies.has(a)),
      unknownReasons: reasons,
      pendingDetail: pending?.detail ? { ...pending.detail } : {},
      latencyMs: summarize(latencies),
    },
    effects,
    effectsBefore,
  };
}

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

function sumCounts(results: TransportResult[]): TransportCounts {
  const total: TransportCounts = { ...ZERO };
  for (const r of results) {
    for (const key of Object.keys(ZERO) as (keyof TransportCounts)[]) {
      if (key === 'pending') {
        total.pending =
          total.pending === null || r.pending === null ? null : total.pending + r.pending;
      } else total[key] += r[key];
    }
  }
  return total;
}

function unknownResult(reason: string): CheckResult {
  return {
    valid: 'unknown',
    anomalies: [],
    unknownReasons: [reason],
    counts: { ...ZERO, pending: null },
    perTransport: {},
    recovery: [],
    samples: {},
  };
}

export function check(input: CheckInput): CheckResult {
  try {
    return checkUnsafe(input);
  } catch (err) {
    return unknownResult(`checker error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function checkUnsafe(input: CheckInput): CheckResult {
  if (!input || input.history === undefined || input.history === null) {
    return unknownResult('history is missing');
  }
  const index = indexHistory(input.history);
  const transports = (input.transports ?? index.transports).filter((t) =>
    (TRANSPORTS as readonly string[]).includes(t),
  );
  const reasons = [...(input.inputErrors ?? [])];
  if (index.ops === 0) reasons.push('history has no operations');
  if (transports.length === 0) reasons.push('no transports to check');

  const samples = new Samples(input.samplesPerAnomaly ?? 5);
  const extraPoison = new Set(input.poisonIds ?? []);
  const perTransport: Partial<Record<TransportName, TransportResult>> = {};
  const recoveryFns = new Map<TransportName, ReturnType<typeof checkTransport>>();
  for (const t of transports) {
    const r = checkTransport(t, index, input, extraPoison, samples);
    perTransport[t] = r.result;
    recoveryFns.set(t, r);
  }

  const recovery: RecoveryWindow[] = index.faults.map((f) => {
    const w: RecoveryWindow = {
      fault: f.fault,
      ...(f.target !== undefined ? { target: f.target } : {}),
      start: f.start,
      heal: f.heal,
      perTransport: {},
    };
    for (const [t, r] of recoveryFns) {
      const first = firstAtOrAfter(r.effects, f.healWall);
      const before = r.effectsBefore(f.healWall);
      const lastBefore = before.reduce<number | undefined>(
        (m, x) => (m === undefined || x > m ? x : m),
        undefined,
      );
      w.perTransport[t] = {
        firstEffectMs: first === undefined ? null : first - f.healWall,
        backlogMs: lastBefore === undefined ? null : Math.max(0, lastBefore - f.healWall),
        longestGapMs: longestGap(r.effects, f.startWall, f.healWall),
      };
    }
    return w;
  });

  const results = Object.values(perTransport);
  const anomalies = ANOMALIES.filter((a) => results.some((r) => r.anomalies.includes(a)));
  const allReasons = [...reasons, ...results.flatMap((r) => r.unknownReasons)];
  // As in Jepsen's merge: false beats unknown beats true.
  const valid: Validity = anomalies.length > 0 ? false : allReasons.length > 0 ? 'unknown' : true;
  return {
    valid,
    anomalies,
    unknownReasons: allReasons,
    counts: sumCounts(results),
    perTransport,
    recovery,
    samples: samples.byKey,
  };
}
