/**
 * Gathers the items of concurrent `add` calls for up to `lingerMs` and hands them to
 * `flush` in one call, so concurrent requests share one broker round trip. The items of one
 * `add` always go into the same flush, and every caller of that flush settles with its
 * outcome: nobody is answered before the flush itself resolved.
 */
export interface MicroBatcherOptions<T> {
  /**
   * Longest time the first item of a batch waits for company. 0 (the default) adds no wait:
   * what arrives in the same event-loop turn (requests parsed from one socket read, say) is
   * flushed together right after it. Any wait is added to every request's latency.
   */
  lingerMs: number;
  /** A batch is flushed at once when it reaches this many items. */
  maxItems: number;
  flush: (items: T[]) => Promise<void>;
}

export interface MicroBatcher<T> {
  add(items: readonly T[]): Promise<void>;
  /** Flushes what is waiting now and resolves once every flush started so far settled. */
  drain(): Promise<void>;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function createMicroBatcher<T>(options: MicroBatcherOptions<T>): MicroBatcher<T> {
  let items: T[] = [];
  let waiters: Waiter[] = [];
  let scheduled: { cancel(): void } | undefined;
  const inFlight = new Set<Promise<void>>();

  const schedule = () => {
    if (options.lingerMs === 0) {
      const handle = setImmediate(flushNow);
      return { cancel: () => clearImmediate(handle) };
    }
    const handle = setTimeout(flushNow, options.lingerMs);
    return { cancel: () => clearTimeout(handle) };
  };

  const flushNow = () => {
    scheduled?.cancel();
    scheduled = undefined;
    if (items.length === 0) return;
    const batch = items;
    const batchWaiters = waiters;
    items = [];
    waiters = [];
    const run = (async () => {
      try {
        await options.flush(batch);
        for (const w of batchWaiters) w.resolve();
      } catch (err) {
        for (const w of batchWaiters) w.reject(err);
      }
    })();
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  };

  return {
    add(newItems) {
      if (newItems.length === 0) return Promise.resolve();
      // Keep one caller's items in one flush: flush what waits if they would not fit.
      if (items.length > 0 && items.length + newItems.length > options.maxItems) flushNow();
      const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      items.push(...newItems);
      if (items.length >= options.maxItems) flushNow();
      else scheduled ??= schedule();
      return done;
    },
    async drain() {
      flushNow();
      await Promise.allSettled([...inFlight]);
    },
  };
}
