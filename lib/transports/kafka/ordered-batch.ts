import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { failpoint } from '../../failpoints.ts';
import { batchLive, commitThrough, heartbeatTicker, type BatchContext } from './batch-context.ts';
import { createKeyOrderedScheduler, type KeyOrderedScheduler } from './key-ordered.ts';

/**
 * Key-ordered processing of one partition's batch (key-ordered.ts): one key's messages one
 * at a time in log order, different keys side by side. Messages are admitted in groups of
 * up to WORKER_CONCURRENCY, their receipts counted in one round trip. Offsets are resolved
 * as the all-done prefix grows and committed by kafkajs at most `commitIntervalMs` apart.
 * On a drain, a lost or stale partition or a failed heartbeat (a rebalance), nothing more
 * is admitted, what was admitted finishes, and the batch returns (or rethrows, so kafkajs
 * rejoins).
 */
export function orderedEachBatch(ctx: BatchContext): (payload: EachBatchPayload) => Promise<void> {
  return async (payload) => {
    const { batch } = payload;
    const receipts = new Map<KafkaMessage, number>();
    const scheduler = createKeyOrderedScheduler<KafkaMessage>({
      concurrency: ctx.concurrency,
      keyOf: (m) => m.key?.toString('latin1'),
      admit: admitGroup(ctx, payload, receipts),
      handle: (m) => {
        const counted = receipts.get(m) ?? 1;
        receipts.delete(m);
        return ctx.limit(() => ctx.handle(m, batch.partition, counted));
      },
      // Under the early-commit failpoints the done prefix lags what they resolved
      // (commitThrough), and kafkajs would commit it, moving the offset back.
      onCommittable: (m) => {
        if (!failpoint('auto-commit') && !failpoint('ack-before-effect')) {
          payload.resolveOffset(m.offset);
        }
      },
    });
    const stop = () => void scheduler.stop().catch(() => undefined);
    const ticker = heartbeatTicker(payload, ctx.heartbeatIntervalMs, stop);
    ctx.stoppers.add(stop);
    try {
      // FAILPOINT auto-commit: like enable.auto.commit, the fetched position is committed at
      // once, whether or not its messages get processed.
      if (failpoint('auto-commit')) await commitThrough(ctx, payload, batch.lastOffset());
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

/**
 * Admits a group of messages before any of it starts: their receipts counted in one round
 * trip (every admitted message then runs, even on a drain, so no count is left without its
 * delivery).
 */
function admitGroup(
  ctx: BatchContext,
  payload: EachBatchPayload,
  receipts: Map<KafkaMessage, number>,
): (group: readonly KafkaMessage[]) => Promise<void> {
  return async (group) => {
    const counts = await ctx.receipts.chunk(group);
    group.forEach((m, i) => receipts.set(m, counts[i] ?? 1));
    // FAILPOINT ack-before-effect: the group is committed before its handlers run.
    if (failpoint('ack-before-effect')) await commitThrough(ctx, payload, group.at(-1)?.offset);
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
