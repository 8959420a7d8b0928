import type { Consumer as KafkaConsumer, EachBatchPayload } from 'kafkajs';
import type { Limiter } from '../limiter.ts';
import type { MessageHandler } from './message-handler.ts';
import type { ReceiptCounter } from './receipts.ts';

/** What the batch loops (ordered-batch.ts, chunked-batch.ts) share with the consumer. */
export interface BatchContext {
  consumer: KafkaConsumer;
  /** Events one worker handles at once (WORKER_CONCURRENCY). */
  concurrency: number;
  /** Shared by every partition: it bounds the whole worker. */
  limit: Limiter;
  handle: MessageHandler;
  receipts: ReceiptCounter;
  heartbeatIntervalMs: number;
  /** Longest time done offsets wait for a commit inside a long batch. */
  commitIntervalMs: number;
  draining: () => boolean;
  /** Stoppers of the batches in progress, so a drain stops them at once. */
  stoppers: Set<() => void>;
}

/** True while the batch may start new messages. */
export function batchLive(ctx: BatchContext, payload: EachBatchPayload): boolean {
  return !ctx.draining() && payload.isRunning() && !payload.isStale();
}

/**
 * Heartbeats on a timer while messages are in the handler, so long work never costs the
 * partition. The first error (a rebalance) is kept for the loop to rethrow once what is in
 * flight has finished, so kafkajs rejoins; `onError` lets the loop stop starting work.
 */
export function heartbeatTicker(
  payload: EachBatchPayload,
  intervalMs: number,
  onError: () => void = () => undefined,
): { stop(): void; rethrow(): void } {
  let error: Error | undefined;
  const timer = setInterval(() => {
    payload.heartbeat().catch((err: unknown) => {
      if (error) return;
      error = err instanceof Error ? err : new Error(String(err));
      onError();
    });
  }, intervalMs);
  return {
    stop: () => clearInterval(timer),
    rethrow: () => {
      if (error) throw error;
    },
  };
}

/**
 * Failpoints only: commit the partition through `offset` now, processed or not, and resolve
 * it too, or kafkajs's next commit of what is resolved would move the offset back.
 */
export async function commitThrough(
  ctx: BatchContext,
  payload: EachBatchPayload,
  offset: string | undefined,
): Promise<void> {
  if (offset === undefined) return;
  payload.resolveOffset(offset);
  const { topic, partition } = payload.batch;
  await ctx.consumer.commitOffsets([{ topic, partition, offset: String(Number(offset) + 1) }]);
}
