import type { EachBatchPayload } from 'kafkajs';
import { failpoint } from '../../failpoints.ts';
import { batchLive, commitThrough, heartbeatTicker, type BatchContext } from './batch-context.ts';

/**
 * FAILPOINT unordered: the loop before key-ordered processing. Chunks of `concurrency`
 * messages of the partition are handled at once whatever their keys, so two events of one
 * key can be applied out of log order. Offsets are resolved after each chunk, through its
 * last message before the first one left undone.
 */
export function chunkedEachBatch(ctx: BatchContext): (payload: EachBatchPayload) => Promise<void> {
  return async (payload) => {
    const { batch } = payload;
    const messages = batch.messages;
    const ticker = heartbeatTicker(payload, ctx.heartbeatIntervalMs);
    // FAILPOINT auto-commit: like enable.auto.commit, the fetched position is committed at
    // once, whether or not its messages get processed.
    if (failpoint('auto-commit')) await commitThrough(ctx, payload, batch.lastOffset());
    try {
      for (let next = 0; next < messages.length && batchLive(ctx, payload);) {
        const chunk = messages.slice(next, next + ctx.concurrency);
        const receipts = await ctx.receipts.chunk(chunk);
        // FAILPOINT ack-before-effect: the chunk is committed before the handler runs.
        if (failpoint('ack-before-effect')) await commitThrough(ctx, payload, chunk.at(-1)?.offset);
        const done = await Promise.all(
          chunk.map((m, i) => ctx.limit(() => ctx.handle(m, batch.partition, receipts[i] ?? 1))),
        );
        const firstUndone = done.indexOf(false);
        const completed = firstUndone === -1 ? chunk.length : firstUndone;
        const last = chunk[completed - 1];
        if (last) payload.resolveOffset(last.offset);
        next += completed;
        if (completed < chunk.length) break;
        ticker.rethrow();
        await payload.heartbeat();
        await payload.commitOffsetsIfNecessary();
      }
    } finally {
      ticker.stop();
    }
  };
}
