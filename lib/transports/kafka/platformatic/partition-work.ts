import type { KafkaMessage } from 'kafkajs';
import { failpoint } from '../../../failpoints.ts';
import { createKeyOrderedScheduler, type KeyOrderedScheduler } from '../key-ordered.ts';
import type { MessageHandler } from '../message-handler.ts';
import type { ReceiptCounter } from '../receipts.ts';
import type { PlatformaticMessage } from './batches.ts';
import type { FairLimiter } from './fair-limiter.ts';
import { asKafkaMessage } from './kafka-message.ts';

/** What every partition's work shares with the consumer. */
export interface WorkContext {
  concurrency: number;
  /** Shared by every partition: it bounds the whole worker, taking partitions in turn. */
  limit: FairLimiter;
  handle: MessageHandler;
  receipts: ReceiptCounter;
  /** Failpoints only: commits `partition` through `offset` (exclusive next offset) now. */
  commitNow: (partition: number, next: bigint) => Promise<void>;
  /** Called after each message finished (room for more). */
  onProgress: () => void;
}

interface Item {
  offset: bigint;
  key: string | undefined;
  km: KafkaMessage;
}

/** One owned partition: its messages through the key-ordered scheduler (key-ordered.ts). */
export interface PartitionWork {
  readonly partition: number;
  /** Takes the messages that continue the partition; returns how many it took. */
  push(messages: readonly PlatformaticMessage[]): number;
  /** The offset to commit (one past the all-done prefix); undefined before the first. */
  committable(): bigint | undefined;
  pending(): number;
  /**
   * Assigned less than `hungryMs` ago and nothing taken yet: the reader must reach its
   * messages even past the fetched backlog of the other partitions (consumer-session.ts).
   */
  hungry(): boolean;
  /** Starts nothing more; resolves once what is in flight has finished. */
  stop(): Promise<void>;
}

const generationOf = (m: PlatformaticMessage): number =>
  Number((m.metadata as { consumer?: { generationId?: number } }).consumer?.generationId ?? 0);

/**
 * Work on `partition` from group generation `generation` on. A message is taken only if it
 * was fetched in that generation or later (the stream refetches from the committed offset
 * on every join; a message buffered under an older ownership would start the partition at
 * the wrong place) and continues the partition (a refetch of what was already taken is
 * dropped).
 */
export function createPartitionWork(
  ctx: WorkContext,
  partition: number,
  generation: number,
  hungryMs = 0,
): PartitionWork {
  const assignedAt = Date.now();
  let next: bigint | undefined;
  const receipts = new Map<Item, number>();
  const scheduler: KeyOrderedScheduler<Item> = createKeyOrderedScheduler<Item>({
    concurrency: ctx.concurrency,
    // FAILPOINT unordered: every message runs as soon as there is room, whatever its key.
    keyOf: (item) => (failpoint('unordered') ? undefined : item.key),
    // A group's receipts are counted in one round trip before any of it starts; every
    // admitted message then runs, even on a stop, so no count is left without its delivery.
    admit: async (group) => {
      const counts = await ctx.receipts.chunk(group.map((item) => item.km));
      group.forEach((item, i) => receipts.set(item, counts[i] ?? 1));
      // FAILPOINT ack-before-effect: the group is committed before its handlers run.
      const last = group.at(-1);
      if (failpoint('ack-before-effect') && last) {
        await ctx.commitNow(partition, last.offset + 1n).catch(() => undefined);
      }
    },
    handle: (item) =>
      ctx.limit(partition, async () => {
        const counted = receipts.get(item) ?? 1;
        receipts.delete(item);
        try {
          return await ctx.handle(item.km, partition, counted);
        } finally {
          ctx.onProgress();
        }
      }),
  });
  return {
    partition,
    push(messages) {
      const items: Item[] = [];
      for (const m of messages) {
        if (generationOf(m) < generation || (next !== undefined && m.offset < next)) continue;
        next = m.offset + 1n;
        items.push({ offset: m.offset, key: m.key?.toString('latin1'), km: asKafkaMessage(m) });
      }
      if (items.length > 0 && !scheduler.stopped()) scheduler.push(items);
      return items.length;
    },
    committable: () => {
      const done = scheduler.committable();
      return done === undefined ? undefined : done.offset + 1n;
    },
    pending: () => scheduler.pending(),
    hungry: () => next === undefined && Date.now() - assignedAt < hungryMs,
    stop: async () => {
      await scheduler.stop().catch(() => undefined);
    },
  };
}
