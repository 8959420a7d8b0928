/**
 * At most `concurrency` tasks at once over the whole worker, like lib/transports/limiter.ts,
 * but a free slot goes to the waiting lane (here a partition) with the fewest tasks running,
 * rather than to the oldest task: a partition just taken over from a dead worker gets the
 * next slots at once instead of waiting behind the backlog of the partitions the worker
 * already had.
 */
export type FairLimiter = <T>(lane: number, task: () => Promise<T>) => Promise<T>;

export function createFairLimiter(concurrency: number): FairLimiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  let active = 0;
  const running = new Map<number, number>();
  /** Waiting starts per lane, in arrival order; lanes in the order they got work. */
  const waiting = new Map<number, (() => void)[]>();
  const begin = (lane: number) => {
    active += 1;
    running.set(lane, (running.get(lane) ?? 0) + 1);
  };
  const next = () => {
    let chosen: number | undefined;
    for (const lane of waiting.keys()) {
      if (chosen === undefined || (running.get(lane) ?? 0) < (running.get(chosen) ?? 0))
        chosen = lane;
    }
    if (chosen === undefined) return;
    const queue = waiting.get(chosen) as (() => void)[];
    const start = queue.shift() as () => void;
    // Back of the line among equals: the other lanes go first next time.
    waiting.delete(chosen);
    if (queue.length > 0) waiting.set(chosen, queue);
    begin(chosen);
    start();
  };
  return async <T>(lane: number, task: () => Promise<T>): Promise<T> => {
    if (active < concurrency && waiting.size === 0) begin(lane);
    else
      await new Promise<void>((resolve) => {
        const queue = waiting.get(lane);
        if (queue) queue.push(resolve);
        else waiting.set(lane, [resolve]);
        if (active < concurrency) next();
      });
    try {
      return await task();
    } finally {
      active -= 1;
      const left = (running.get(lane) ?? 1) - 1;
      if (left === 0) running.delete(lane);
      else running.set(lane, left);
      next();
    }
  };
}
