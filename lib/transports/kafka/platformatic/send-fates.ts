import { protocolErrors } from '@platformatic/kafka';
import { errorName, errorTree, isConnectFailure } from './errors.ts';

/**
 * What one produce call did to the records of one partition:
 * - `written`: the broker appended them (it answered with that partition's offset);
 * - `rejected`: the broker answered with an error that is raised before anything is
 *   appended (not the leader, too few replicas, too large, ...): provably not written;
 * - `unknown`: no answer for that partition (socket cut, timeout, a reply that cannot be
 *   read): they may or may not be in the log.
 */
export type Fate = 'written' | 'rejected' | 'unknown';

export interface PartitionFate {
  fate: Fate;
  /** For `rejected`: sending the same records again may succeed (the broker says so). */
  retriable: boolean;
  /** The broker's error name, for messages. */
  error?: string;
}

/** Broker answers that reject a partition's records before anything is appended. */
const REJECTED = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'NOT_ENOUGH_REPLICAS',
  'INVALID_REQUIRED_ACKS',
  'TOPIC_AUTHORIZATION_FAILED',
  'CORRUPT_MESSAGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  // The idempotence checks run before the append too.
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'UNKNOWN_PRODUCER_ID',
]);

interface ProduceResponseShape {
  responses?: { name?: string; partitionResponses?: { index: number; errorCode: number }[] }[];
}

function fateOfCode(code: number): PartitionFate {
  if (code === 0) return { fate: 'written', retriable: false };
  const name = errorName(code);
  if (!REJECTED.has(name)) return { fate: 'unknown', retriable: true, error: name };
  return { fate: 'rejected', retriable: protocolErrors[name]?.canRetry === true, error: name };
}

/** Evidence beats silence: an append beats a refusal beats no answer. */
const RANK: Record<Fate, number> = { unknown: 0, rejected: 1, written: 2 };

function note(out: Map<number, PartitionFate>, partition: number, f: PartitionFate): void {
  const was = out.get(partition);
  if (was !== undefined && RANK[was.fate] >= RANK[f.fate]) return;
  out.set(partition, f);
}

/** Reads the partitions' fates out of what the client returned (or threw) for one call. */
export function sendFates(
  topic: string,
  partitions: Iterable<number>,
  error: unknown,
): Map<number, PartitionFate> {
  const out = new Map<number, PartitionFate>();
  if (error === undefined) {
    for (const p of partitions) out.set(p, { fate: 'written', retriable: false });
    return out;
  }
  for (const p of partitions) out.set(p, { fate: 'unknown', retriable: true });
  for (const e of errorTree(error)) {
    // Other brokers' answers in the same call (the client aggregates per leader).
    const produced = (e as { produced?: { offsets?: { topic: string; partition: number }[] } })
      .produced;
    for (const o of produced?.offsets ?? [])
      if (o.topic === topic && out.has(o.partition)) note(out, o.partition, fateOfCode(0));
    const response = (e as { response?: ProduceResponseShape }).response;
    for (const t of response?.responses ?? []) {
      if (t.name !== topic) continue;
      for (const r of t.partitionResponses ?? [])
        if (out.has(r.index)) note(out, r.index, fateOfCode(r.errorCode));
    }
  }
  if (onlyConnectFailures(error)) {
    for (const [p, f] of out)
      if (f.fate === 'unknown') out.set(p, { fate: 'rejected', retriable: true, error: 'connect' });
  }
  return out;
}

/**
 * True when every failed part of the call failed to connect: the client sends each request
 * once (no retries), so a request that never had a socket never reached the broker.
 */
function onlyConnectFailures(error: unknown): boolean {
  const parts =
    error instanceof AggregateError && !('response' in error)
      ? (error.errors as unknown[])
      : [error];
  return parts.length > 0 && parts.every(isConnectFailure);
}

/** A record's fate over several attempts at the same records (idempotent resends). */
export function combineFates(earlier: Fate, later: Fate): Fate {
  if (earlier === 'written' || later === 'written') return 'written';
  if (earlier === 'unknown' || later === 'unknown') return 'unknown';
  return 'rejected';
}

/** One request's answer from its records' fates: all in, provably none in, or unknown. */
export function requestOutcome(fates: readonly Fate[]): 'ok' | 'not-sent' | 'indeterminate' {
  if (fates.every((f) => f === 'written')) return 'ok';
  if (fates.every((f) => f === 'rejected')) return 'not-sent';
  return 'indeterminate';
}
