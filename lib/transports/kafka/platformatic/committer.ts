import type { Consumer } from '@platformatic/kafka';
import { errorMessage } from '../../../errors.ts';
import type { Logger } from '../../../log.ts';
import { brokerCodes } from './errors.ts';

/** Commits of one consumer, one request at a time, each offset only if it moves forward. */
export interface Committer {
  /** Commits `next` (one past the last done offset) per partition; false when it failed. */
  commit(offsets: ReadonlyMap<number, bigint | undefined>): Promise<boolean>;
}

export function createCommitter(consumer: Consumer, topic: string, log: Logger): Committer {
  const committed = new Map<number, bigint>();
  let chain: Promise<unknown> = Promise.resolve();
  const once = async (offsets: ReadonlyMap<number, bigint | undefined>): Promise<boolean> => {
    const moved = [...offsets].filter(
      (e): e is [number, bigint] => e[1] !== undefined && e[1] > (committed.get(e[0]) ?? -1n),
    );
    if (moved.length === 0) return true;
    try {
      await consumer.commit({
        offsets: moved.map(([partition, offset]) => ({
          topic,
          partition,
          offset,
          leaderEpoch: -1,
        })),
      });
    } catch (err) {
      log.warn(
        { err: errorMessage(err), codes: brokerCodes(err) },
        'kafka commit failed; retried with the next one',
      );
      return false;
    }
    for (const [p, next] of moved) if (next > (committed.get(p) ?? -1n)) committed.set(p, next);
    return true;
  };
  return {
    commit(offsets) {
      const result = chain.then(() => once(offsets));
      chain = result.catch(() => undefined);
      return result;
    },
  };
}
