import type { Logger } from './log.ts';

/**
 * Failpoints: named places where a test switches on a real bug, to prove the harness
 * catches it. Set only through the FAILPOINTS variable (never over HTTP); off by default,
 * and when off each check is one lookup in an empty set.
 */
export const FAILPOINTS = {
  'early-202': 'the producer answers 202 before the broker ack, and drops a share of publishes',
  'ack-before-effect': 'workers acknowledge before the sink write',
  'auto-commit': 'the Kafka consumer commits what it fetched at once, processed or not',
  unordered: 'the Kafka consumer handles a chunk of a partition at once, whatever its keys',
  'no-claim':
    'the Redis consumer never reclaims pending entries (no XAUTOCLAIM, no re-read of its own)',
  'group-from-latest': 'consumer groups start at the end of the log',
  'trim-stream': 'XADD with a small MAXLEN that trims unacknowledged entries',
  'non-idempotent-effect': 'the sink applies the effect on every delivery',
  'drop-dead-letters': 'the dead-letter write is skipped but the event is acknowledged',
  'no-stalled-recovery': 'BullMQ jobs of a killed worker are never recovered',
  'acks-leader':
    'the Kafka producer (kafkajs) asks acks=1: the leader alone acknowledges, before any follower has the write',
  'redis-no-wait': 'the Redis producer skips WAIT: 202 once the primary has it, replicated or not',
} as const;

export type FailpointName = keyof typeof FAILPOINTS;

export function isFailpointName(name: string): name is FailpointName {
  return Object.hasOwn(FAILPOINTS, name);
}

let enabled: ReadonlySet<FailpointName> = new Set();

/** Switches on the given failpoints (from config) and warns loudly if any is on. */
export function enableFailpoints(names: readonly FailpointName[], logger: Logger): void {
  enabled = new Set(names);
  for (const name of enabled) {
    logger.warn(
      { failpoint: name },
      `FAILPOINT ${name} IS ON: ${FAILPOINTS[name]}. Never use this outside tests.`,
    );
  }
}

/** True when the named failpoint is switched on. */
export function failpoint(name: FailpointName): boolean {
  return enabled.has(name);
}
