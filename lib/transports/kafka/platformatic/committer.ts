import type { Consumer } from '@platformatic/kafka';
import { errorMessage } from '../../../errors.ts';
import type { Logger } from '../../../log.ts';
import { brokerCodes } from './errors.ts';

/**
 * Commits of one consumer, one request at a time, each offset only if it moves forward.
 * Calls made while one is in flight merge into a single next request: a commit that waits
 * out a silent coordinator must not queue one request per interval behind it.
 */
export interface Committer {
  /** Commits `next` (one past the last done offset) per partition; false when it failed. */
  commit(offsets: ReadonlyMap<number, bigint | undefined>): Promise<boolean>;
}

/** `onError` sees every refused commit (membership-watch.ts looks for a moved coordinator). */
export function createCommitter(
  consumer: Consumer,
  topic: string,
  log: Logger,
  onError: (err: unknown) => void = () => undefined,
): Committer {
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
      onError(err);
      return false;
    }
    for (const [p, next] of moved) if (next > (committed.get(p) ?? -1n)) committed.set(p, next);
    return true;
  };
  let queued: { offsets: Map<number, bigint | undefined>; result: Promise<boolean> } | undefined;
  return {
    commit(offsets) {
      if (queued) {
        mergeOffsets(queued.offsets, offsets);
        return queued.result;
      }
      const next = mergeOffsets(new Map(), offsets);
      const result = chain.then(() => {
        queued = undefined;
        return once(next);
      });
      queued = { offsets: next, result };
      chain = result.catch(() => undefined);
      return result;
    },
  };
}

/** Adds `more` into `into`, keeping the furthest offset of each partition. */
function mergeOffsets(
  into: Map<number, bigint | undefined>,
  more: ReadonlyMap<number, bigint | undefined>,
): Map<number, bigint | undefined> {
  for (const [p, next] of more) {
    const had = into.get(p);
    if (had === undefined || (next !== undefined && next > had)) into.set(p, next);
  }
  return into;
}
