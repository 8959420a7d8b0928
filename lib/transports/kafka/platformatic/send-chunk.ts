import { setTimeout as sleep } from 'node:timers/promises';
import { ProduceAcks } from '@platformatic/kafka';
import type { Logger } from '../../../log.ts';
import { withTimeout } from '../../../with-timeout.ts';
import { hasStaleMetadata, isConnectFailure } from './errors.ts';
import type { PlatformaticRecord } from './message.ts';
import type { PlatformaticProducerLink } from './producer-link.ts';
import { combineFates, sendFates, type Fate, type PartitionFate } from './send-fates.ts';

/** One record to send, its partition chosen by us (partition.ts). */
export interface ChunkRecord {
  record: PlatformaticRecord & { partition: number };
}

export interface ChunkResult {
  fates: Fate[];
  /** The last failure, for the answer's cause. */
  error?: unknown;
}

class SendTimeout extends Error {}

const FIRST_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 500;

/**
 * Sends one chunk until every record is written, a refusal says resending is pointless, or
 * `deadline` passes. Resends carry exactly the same records on the same producer, so the
 * broker's idempotence turns a resend of what was already appended into its first offsets
 * instead of a copy (and an unknown fate into a known one). A producer whose send timed out,
 * or that gave up with records in an unknown or partial state, is retired.
 */
export async function sendChunk(
  link: PlatformaticProducerLink,
  topic: string,
  chunk: readonly ChunkRecord[],
  deadline: number,
  log: Logger,
): Promise<ChunkResult> {
  const fates: Fate[] = chunk.map(() => 'rejected');
  let lastError: unknown;
  for (let attempt = 1, backoff = FIRST_BACKOFF_MS; ; attempt += 1) {
    const outcome = await attemptOnce(link, topic, chunk, deadline);
    lastError = outcome.error;
    chunk.forEach((c, i) => {
      const f = outcome.byPartition?.get(c.record.partition)?.fate ?? 'rejected';
      fates[i] = attempt === 1 ? f : combineFates(fates[i] as Fate, f);
    });
    if (fates.every((f) => f === 'written')) return { fates };
    if (outcome.timedOut || !worthResending(outcome, link, deadline - Date.now(), backoff)) break;
    log.debug({ attempt, err: lastError }, 'kafka produce failed; resending the same records');
    await sleep(backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
  // Partly written or unknown: the producer's sequence numbers may be off from now on.
  if (fates.some((f) => f !== 'rejected')) link.retire();
  return { fates, error: lastError };
}

interface Attempt {
  /** Undefined when nothing was sent (no producer id could be had). */
  byPartition?: Map<number, PartitionFate>;
  error?: unknown;
  timedOut?: boolean;
}

async function attemptOnce(
  link: PlatformaticProducerLink,
  topic: string,
  chunk: readonly ChunkRecord[],
  deadline: number,
): Promise<Attempt> {
  const left = Math.max(deadline - Date.now(), 1);
  let producer;
  try {
    producer = await link.producer(left);
  } catch (err) {
    return { error: err };
  }
  const partitions = new Set(chunk.map((c) => c.record.partition));
  const send = producer.send({ messages: chunk.map((c) => c.record), acks: ProduceAcks.ALL });
  try {
    await withTimeout(send, Math.max(deadline - Date.now(), 1), () => new SendTimeout());
    return { byPartition: sendFates(topic, partitions, undefined) };
  } catch (err) {
    if (err instanceof SendTimeout) {
      link.retire(); // the send goes on inside the client; its outcome will never be known
      return { byPartition: sendFates(topic, partitions, err), error: err, timedOut: true };
    }
    if (isConnectFailure(err)) link.health.markDown(err);
    if (hasStaleMetadata(err)) producer.clearMetadata();
    return { byPartition: sendFates(topic, partitions, err), error: err };
  }
}

/** Resend while some record may still go in, the link is up and time is left. */
function worthResending(
  outcome: Attempt,
  link: PlatformaticProducerLink,
  leftMs: number,
  backoffMs: number,
): boolean {
  if (outcome.byPartition === undefined || !link.health.isReady()) return false;
  if (leftMs < backoffMs + 100) return false;
  return [...outcome.byPartition.values()].some(
    (f) => f.fate === 'unknown' || (f.fate === 'rejected' && f.retriable),
  );
}
