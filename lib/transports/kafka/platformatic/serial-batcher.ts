/**
 * Hands queued items to `flush` in batches, one flush at a time: whatever arrives while a
 * flush runs waits and goes out together in the next one. The idempotent producer needs
 * this: a resend after a failure must carry the same records with the same sequence numbers,
 * so no other produce request may go out in between.
 */
export interface SerialBatcherOptions<T> {
  /** Wait before a flush from idle, to gather concurrent arrivals (0: the same turn only). */
  lingerMs: number;
  /** Most weight in one flush (an item heavier than this goes alone). */
  maxWeight: number;
  weightOf: (item: T) => number;
  /** Settles every item itself; a rejection is reported to `onError`. */
  flush: (items: T[]) => Promise<void>;
  onError: (err: unknown) => void;
}

export interface SerialBatcher<T> {
  add(item: T): void;
  /** Resolves once everything added so far has been flushed. */
  drain(): Promise<void>;
}

export function createSerialBatcher<T>(o: SerialBatcherOptions<T>): SerialBatcher<T> {
  const queue: T[] = [];
  let running: Promise<void> | undefined;

  const take = (): T[] => {
    const batch: T[] = [];
    let weight = 0;
    while (queue.length > 0) {
      const w = o.weightOf(queue[0] as T);
      if (batch.length > 0 && weight + w > o.maxWeight) break;
      batch.push(queue.shift() as T);
      weight += w;
    }
    return batch;
  };

  const run = async () => {
    await new Promise<void>((resolve) =>
      o.lingerMs === 0 ? setImmediate(resolve) : setTimeout(resolve, o.lingerMs),
    );
    while (queue.length > 0) await o.flush(take()).catch(o.onError);
    running = undefined;
  };

  return {
    add(item) {
      queue.push(item);
      running ??= run();
    },
    async drain() {
      while (running) await running;
    },
  };
}
