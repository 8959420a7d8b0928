import type { TransportName } from '../lib/envelope.ts';
import type { CheckResult } from './checker/index.ts';
import type { HistoryEntry } from './history.ts';
import { packageByLabel } from './nemesis/index.ts';
import type { Expectations, Range } from './scenario.ts';

/**
 * Did the faults bite? Safety is the checker's job; this checks the liveness-style signals
 * a scenario declares (kills happened, something was redelivered, the producer saw
 * errors), so a fault that silently did nothing fails the run instead of passing it.
 */
export interface ObservedSignals {
  /** Worker kills in the whole run. */
  kills: number;
  /** Role faults whose heal found another node holding the role (whole run). */
  failovers: number;
  perTransport: Partial<
    Record<
      TransportName,
      {
        redeliveries: number;
        producerFailures: number;
        recovered: number;
        consumerStallMs: number;
        deadLettered: number;
        latencyP99Ms: number | null;
      }
    >
  >;
}

export interface ExpectationResult {
  met: boolean;
  /** One line per unmet expectation, e.g. `kafka: redeliveries 0, expected >= 1`. */
  failures: string[];
  observed: ObservedSignals;
}

/**
 * Gathers the signals from the history and the check. `kills` may be given by the caller
 * (e.g. the pools' restart counters), which beats counting fault entries.
 */
export function observeSignals(
  history: Iterable<HistoryEntry>,
  result: CheckResult,
  overrides: { kills?: number } = {},
): ObservedSignals {
  let kills = 0;
  let failovers = 0;
  for (const e of history) {
    // Each fault package says how many workers one start of it killed.
    if (e.type === 'fault' && e.phase === 'start')
      kills += packageByLabel(e.fault)?.kills(e.detail) ?? 0;
    // A role fault's heal records who held the role then (harness/nemesis/role-fault.ts).
    if (e.type === 'fault' && e.phase === 'heal' && e.detail?.moved === true) failovers += 1;
  }
  const perTransport: ObservedSignals['perTransport'] = {};
  for (const [t, r] of Object.entries(result.perTransport) as [
    TransportName,
    NonNullable<CheckResult['perTransport'][TransportName]>,
  ][]) {
    perTransport[t] = {
      redeliveries: r.redeliveries,
      producerFailures: r.fail + r.info,
      recovered: r.recovered,
      consumerStallMs: result.recovery.reduce(
        (m, w) => Math.max(m, w.perTransport[t]?.longestGapMs ?? 0),
        0,
      ),
      deadLettered: r.deadLettered,
      latencyP99Ms: r.latencyMs.p99,
    };
  }
  return { kills: overrides.kills ?? kills, failovers, perTransport };
}

function describeRange(r: Range): string {
  if (r.min !== undefined && r.max !== undefined) return `in [${r.min}, ${r.max}]`;
  if (r.min !== undefined) return `>= ${r.min}`;
  return `<= ${r.max ?? Infinity}`;
}

function outside(value: number | null, r: Range): boolean {
  if (value === null) return true;
  return (r.min !== undefined && value < r.min) || (r.max !== undefined && value > r.max);
}

const PER_TRANSPORT = [
  'redeliveries',
  'producerFailures',
  'recovered',
  'consumerStallMs',
  'deadLettered',
  'latencyP99Ms',
] as const;

export function checkExpectations(
  expectations: Expectations,
  observed: ObservedSignals,
): ExpectationResult {
  const failures: string[] = [];
  if (expectations.kills && outside(observed.kills, expectations.kills)) {
    failures.push(`kills ${observed.kills}, expected ${describeRange(expectations.kills)}`);
  }
  if (expectations.failovers && outside(observed.failovers, expectations.failovers)) {
    const range = describeRange(expectations.failovers);
    failures.push(`failovers ${observed.failovers}, expected ${range}`);
  }
  for (const key of PER_TRANSPORT) {
    const range = expectations[key];
    if (!range) continue;
    for (const [t, signals] of Object.entries(observed.perTransport)) {
      const value = signals[key];
      if (outside(value, range)) {
        failures.push(`${t}: ${key} ${value ?? 'none'}, expected ${describeRange(range)}`);
      }
    }
  }
  return { met: failures.length === 0, failures, observed };
}
