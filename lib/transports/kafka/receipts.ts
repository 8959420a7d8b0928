import type { KafkaMessage } from 'kafkajs';
import { errorMessage } from '../../errors.ts';
import type { Logger } from '../../log.ts';

/**
 * Durable receipt counts (the sink's `countReceipts`), the delivery count of a transport
 * whose broker keeps none. Counted just before a message is handled: a receipt counted for
 * a message that then never starts would show as a redelivery where there was none.
 */
export interface ReceiptCounter {
  /** One round trip for the chunk. */
  chunk(messages: readonly KafkaMessage[]): Promise<number[]>;
  /** Messages asked for in one event-loop turn share one round trip. */
  one(message: KafkaMessage): Promise<number>;
}

type Count = (ids: readonly string[]) => Promise<number[]>;

const idOf = (m: KafkaMessage) => m.headers?.id?.toString() ?? `offset-${m.offset}`;

export function createReceiptCounter(count: Count | undefined, log: Logger): ReceiptCounter {
  /** Counts; 1 each when they cannot be counted (no counter, sink down). */
  const chunk = async (messages: readonly KafkaMessage[]): Promise<number[]> => {
    if (!count || messages.length === 0) return messages.map(() => 1);
    try {
      return await count(messages.map(idOf));
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'receipt count failed; counting from 1');
      return messages.map(() => 1);
    }
  };
  let waiting: { message: KafkaMessage; resolve: (n: number) => void }[] = [];
  const flush = () => {
    const batch = waiting;
    waiting = [];
    void chunk(batch.map((w) => w.message)).then((counts) =>
      batch.forEach((w, i) => w.resolve(counts[i] ?? 1)),
    );
  };
  return {
    chunk,
    one(message) {
      if (!count) return Promise.resolve(1);
      if (waiting.length === 0) setImmediate(flush);
      return new Promise<number>((resolve) => waiting.push({ message, resolve }));
    },
  };
}
