import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { failpoint } from '../../failpoints.ts';
import { batchLive, commitThrough, heartbeatTicker, type BatchContext } from './batch-context.ts';
import { createKeyOrderedScheduler, type KeyOrderedScheduler } from './key-ordered.ts';

type Batch = EachBatchPayload['batch'];

/**
 * Key-ordered processing of one partition's batch (key-ordered.ts): one key's messages one
 * at a time in log order, different keys side by side. Offsets are resolved as the
 * all-done prefix grows and committed by kafkajs at most `commitIntervalMs` apart. On a
 * drain, a lost or stale partition or a failed heartbeat (a rebalance), nothing new starts,
 * what is in flight finishes, and the batch returns (or rethrows, so kafkajs rejoins).
 */
export function orderedEachBatch(ctx: BatchContext): (payload: EachBatchPayload) => Promise<void> {
  return async (payload) => {
    const { batch } = payload;
    const scheduler = createKeyOrderedScheduler<KafkaMessage>({
      concurrency: ctx.concurrency,
      keyOf: (m) => m.key?.toString('latin1'),
      handle: handleInOrder(ctx, batch),
      onCommittable: (m) => payload.resolveOffset(m.offset),
    });
    const stop = () => void scheduler.stop().catch(() => undefined);
    const ticker = heartbeatTicker(payload, ctx.heartbeatIntervalMs, stop);
    ctx.stoppers.add(stop);
    try {
      // FAILPOINT auto-commit: like enable.auto.commit, the fetched position is committed at
      // once, whether or not its messages get processed.
      if (failpoint('auto-commit')) await commitThrough(ctx, batch, batch.lastOffset());
      if (batchLive(ctx, payload)) scheduler.push(batch.messages);
      await runToIdle(ctx, payload, scheduler);
    } finally {
      ticker.stop();
      ctx.stoppers.delete(stop);
    }
    ticker.rethrow();
    await payload.heartbeat();
    await payload.commitOffsetsIfNecessary();
  };
}

/** The scheduler's handler: receipts counted, then the message through the worker's limiter. */
function handleInOrder(ctx: BatchContext, batch: Batch): (m: KafkaMessage) => Promise<boolean> {
  let highestStarted: string | undefined;
  return async (m) => {
    const receipts = await ctx.receipts.one(m);
    if (failpoint('ack-before-effect')) {
      // FAILPOINT ack-before-effect: committed through the highest message started, before
      // its handler runs.
      if (highestStarted === undefined || Number(m.offset) > Number(highestStarted))
        highestStarted = m.offset;
      await commitThrough(ctx, batch, highestStarted);
    }
    return ctx.limit(() => ctx.handle(m, batch.partition, receipts));
  };
}

/**
 * Waits for the batch, waking every commit interval to commit what is done and to stop the
 * scheduler once the batch may start nothing more. A commit error (a rebalance) stops it
 * too and is rethrown once in-flight messages finished.
 */
async function runToIdle(
  ctx: BatchContext,
  payload: EachBatchPayload,
  scheduler: KeyOrderedScheduler<KafkaMessage>,
): Promise<void> {
  const idle = scheduler.idle().then(() => true);
  const tickMs = Math.max(50, Math.min(ctx.commitIntervalMs, ctx.heartbeatIntervalMs));
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = new Promise<false>(
      (resolve) => (timer = setTimeout(() => resolve(false), tickMs)),
    );
    const finished = await Promise.race([idle, tick]);
    clearTimeout(timer);
    if (finished) return;
    if (!batchLive(ctx, payload)) {
      await scheduler.stop();
      return;
    }
    try {
      await payload.commitOffsetsIfNecessary();
    } catch (err) {
      await scheduler.stop();
      throw err;
    }
  }
}
