import { TRANSPORTS, type TransportName } from '../../lib/envelope.ts';
import { errorMessage } from '../../lib/errors.ts';
import { indexHistory, type FaultWindow } from '../history-index.ts';
import { summarize } from '../percentiles.ts';
import { MISSING, transportInput } from './inputs.ts';
import { mergeValid } from './merge-valid.ts';
import type {
  CheckInput,
  CheckResult,
  Given,
  InputName,
  Measure,
  RecoveryMeasure,
  RecoveryWindow,
  RuleOutput,
  SafetyRule,
  TransportCounts,
  TransportFields,
  TransportInput,
  TransportResult,
  UnitOutput,
  Validity,
} from './types.ts';

/**
 * Jepsen's `checker/compose`: runs every rule and measure on every transport and merges
 * their outputs. Never throws: a unit that throws or lacks an input is 'unknown' with the
 * reason, the other units still judge, and the validities merge (false > unknown > true).
 */
export type Checker<A extends string> = (input: CheckInput) => CheckResult<A>;

type Unit<A extends string> = SafetyRule<A> | Measure;

interface Judged<A extends string> {
  name: string;
  valid: Validity;
  output: Partial<RuleOutput<A>>;
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
  orderInversions: 0,
  nonmonotonicSends: 0,
  concurrentDeliveries: 0,
  pending: 0,
  lostNeverStored: 0,
  lostStoredUndelivered: 0,
  lostDeliveredUnapplied: 0,
  lostUnclassified: 0,
};

export function compose<A extends string>(
  rules: readonly SafetyRule<A>[],
  measures: readonly Measure[],
): Checker<A> {
  const units: readonly Unit<A>[] = [...rules, ...measures];
  const order = rules.map((r) => r.name);
  return (input) => {
    try {
      return checkRun(units, order, input);
    } catch (err) {
      return unknownResult(`checker error: ${errorMessage(err)}`);
    }
  };
}

function runUnit<A extends string>(unit: Unit<A>, input: TransportInput): Judged<A> {
  const missing = unit.needs.filter((n: InputName) => input[n] === undefined);
  if (missing.length > 0) {
    const unknown = missing.map((n) => MISSING[n](input.transport));
    return { name: unit.name, valid: 'unknown', output: { unknown } };
  }
  try {
    // The needs were just checked: the unit gets the inputs it declared.
    const output: Partial<RuleOutput<A>> = unit.run(input as Given<InputName>);
    const broken = (output.anomalies?.length ?? 0) > 0;
    const unsure = (output.unknown?.length ?? 0) > 0;
    return { name: unit.name, valid: broken ? false : unsure ? 'unknown' : true, output };
  } catch (err) {
    const reason = `${unit.name} on ${input.transport} failed: ${errorMessage(err)}`;
    return { name: unit.name, valid: 'unknown', output: { unknown: [reason] } };
  }
}

interface Judgement<A extends string> {
  result: TransportResult<A>;
  samples: Record<string, string[]>;
  recovery: readonly RecoveryMeasure[];
}

function judgeTransport<A extends string>(
  units: readonly Unit<A>[],
  order: readonly A[],
  input: TransportInput,
): Judgement<A> {
  const judged = units.map((u) => runUnit(u, input));
  const outputs = judged.map((j): UnitOutput & Partial<RuleOutput<A>> => j.output);
  const named = new Set(outputs.flatMap((o) => o.anomalies ?? []));
  const samples: Record<string, string[]> = {};
  for (const o of outputs) {
    for (const [kind, ids] of Object.entries(o.samples ?? {})) {
      if (ids.length > 0) samples[`${input.transport}/${kind}`] = [...ids];
    }
  }
  // What a unit that did not run leaves: zero counts, pending unknown, no latencies.
  const counts: TransportCounts = { ...ZERO, pending: null };
  const fields: TransportFields = { pendingDetail: {}, latencyMs: summarize([]) };
  for (const o of outputs) {
    Object.assign(counts, o.counts);
    Object.assign(fields, o.fields);
  }
  const result: TransportResult<A> = {
    ...counts,
    ...fields,
    valid: mergeValid(judged.map((j) => j.valid)),
    anomalies: order.filter((a) => named.has(a)),
    unknownReasons: [...new Set(outputs.flatMap((o) => o.unknown ?? []))],
    checks: Object.fromEntries(judged.map((j) => [j.name, j.valid])),
  };
  // Several units measure each fault window: their figures merge, window by window.
  const merged: Partial<RecoveryMeasure>[] = [];
  for (const o of outputs) o.recovery?.forEach((w, i) => (merged[i] = { ...merged[i], ...w }));
  // The recovery measure (needing no input) always gives the base figures.
  const recovery = merged as RecoveryMeasure[];
  return { result, samples, recovery };
}

function checkRun<A extends string>(
  units: readonly Unit<A>[],
  order: readonly A[],
  input: CheckInput,
): CheckResult<A> {
  if (!input || (!input.index && (input.history === undefined || input.history === null))) {
    return unknownResult('history is missing');
  }
  const index = input.index ?? indexHistory(input.history);
  const transports = (input.transports ?? index.transports).filter((t) =>
    (TRANSPORTS as readonly string[]).includes(t),
  );
  const reasons = [...(input.inputErrors ?? [])];
  if (index.ops === 0) reasons.push('history has no operations');
  if (transports.length === 0) reasons.push('no transports to check');

  const extraPoison = new Set(input.poisonIds ?? []);
  const perTransport: Partial<Record<TransportName, TransportResult<A>>> = {};
  const recoveries = new Map<TransportName, readonly RecoveryMeasure[]>();
  let samples: Record<string, string[]> = {};
  for (const t of transports) {
    const j = judgeTransport(units, order, transportInput(t, index, input, extraPoison));
    perTransport[t] = j.result;
    recoveries.set(t, j.recovery);
    samples = { ...samples, ...j.samples };
  }
  const results = Object.values(perTransport);
  return {
    valid: mergeValid([reasons.length > 0 ? 'unknown' : true, ...results.map((r) => r.valid)]),
    anomalies: order.filter((a) => results.some((r) => r.anomalies.includes(a))),
    unknownReasons: [...reasons, ...results.flatMap((r) => r.unknownReasons)],
    counts: sumCounts(results),
    perTransport,
    recovery: index.faults.map((f, i) => recoveryWindow(f, i, recoveries)),
    samples,
  };
}

/** The per-transport recoveries of fault `i`, as one window. */
function recoveryWindow(
  f: FaultWindow,
  i: number,
  recoveries: ReadonlyMap<TransportName, readonly RecoveryMeasure[]>,
): RecoveryWindow {
  const perTransport: RecoveryWindow['perTransport'] = {};
  for (const [t, windows] of recoveries) {
    const w = windows[i];
    if (w) perTransport[t] = w;
  }
  return {
    fault: f.fault,
    ...(f.target !== undefined ? { target: f.target } : {}),
    start: f.start,
    heal: f.heal,
    perTransport,
  };
}

function sumCounts(results: readonly TransportCounts[]): TransportCounts {
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

function unknownResult<A extends string>(reason: string): CheckResult<A> {
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
