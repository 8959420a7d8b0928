import type { Consumer } from '@platformatic/kafka';
import { errorMessage } from '../../../errors.ts';
import type { Logger } from '../../../log.ts';
import { errorTree, protocolErrorName } from './errors.ts';

/** Commits of one consumer, one request at a time, each offset only if it moves forward. */
export interface Committer {
  /** Commits `next` (one past the last done offset) per partition; false when it failed. */
  commit(offsets: ReadonlyMap<number, bigint | undefined>): Promise<boolean>;
}

export interface CommitterOptions {
  topic: string;
  log: Logger;
  /**
   * Commits failing without a success for this long mean the group no longer takes this
   * member's commits (seen after a rolling broker restart: 100 s of failures, the lag
   * growing while the work went on). `onStuck` ends the session; a new one rejoins, and
   * what was not committed is redelivered.
   */
  stuckAfterMs: number;
  onStuck: (why: Error) => void;
}

/** The broker's error names in a failure's chain (`ILLEGAL_GENERATION`), for the log. */
const brokerCodes = (err: unknown) => [
  ...new Set([...errorTree(err)].flatMap((e) => protocolErrorName(e) ?? [])),
];

export function createCommitter(consumer: Consumer, o: CommitterOptions): Committer {
  const { topic, log } = o;
  const committed = new Map<number, bigint>();
  let chain: Promise<unknown> = Promise.resolve();
  let failingSince: number | undefined;
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
      const codes = brokerCodes(err);
      log.warn({ err: errorMessage(err), codes }, 'kafka commit failed; retried with the next one');
      failingSince ??= Date.now();
      if (Date.now() - failingSince > o.stuckAfterMs) {
        o.onStuck(new Error(`commits failing for over ${o.stuckAfterMs} ms (${codes.join(', ')})`));
      }
      return false;
    }
    failingSince = undefined;
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
