import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { errorMessage } from '../../errors.ts';
import { failpoint } from '../../failpoints.ts';
import { backoffMs } from '../../retry.ts';
import { cmdOf, type RedisConsumerState, type StreamEntry } from './consumer-state.ts';
import { handleEntry } from './entry-handler.ts';
import { deliveryCounts, pruneConsumers, readGroup } from './group.ts';

/** The consume loop backs off 200 ms to 2 s after an error (a Redis that is down). */
const LOOP_BACKOFF = { baseMs: 200, maxMs: 2000, jitter: 'equal' } as const;

/**
 * Starts handling entries without waiting for them (the read loop goes on while it has
 * room). `holding` keeps their ids so our own sweep never claims what we are handling.
 */
function dispatch(
  s: RedisConsumerState,
  client: Redis,
  entries: StreamEntry[],
  counts: Map<string, number> | null,
): void {
  for (const entry of entries) {
    const entryId = entry[0];
    s.holding.add(entryId);
    // The XACK waits outside the limiter: acks of many entries go out as one command.
    const done: Promise<void> = s
      .limit(() => handleEntry(s, client, entry, counts?.get(entryId) ?? 1))
      .then((finished) => (finished ? s.acks.add([entryId]) : undefined))
      .catch((err: unknown) =>
        // Not acknowledged: the entry stays pending and comes back through XAUTOCLAIM.
        s.log.warn({ entryId, err: errorMessage(err) }, 'entry left pending after an error'),
      )
      .finally(() => {
        s.holding.delete(entryId);
        s.inFlight.delete(done);
        if (s.inFlight.size <= s.lowWater) s.onRoom?.();
      });
    s.inFlight.add(done);
  }
}

/** Dispatches entries with their delivery counts from the PEL. */
async function dispatchCounted(s: RedisConsumerState, client: Redis, entries: StreamEntry[]) {
  const counts = await deliveryCounts(
    s,
    client,
    entries.map(([id]) => id),
  );
  dispatch(s, client, entries, counts);
}

/** XAUTOCLAIMs up to `room` entries idle past claimIdleMs (from dead or stuck consumers). */
async function claim(s: RedisConsumerState, client: Redis, room: number): Promise<void> {
  let cursor = '0-0';
  // Bounded in pages so a huge PEL cannot starve new reads.
  for (let page = 0; page < 10 && s.running && room > 0; page += 1) {
    const [next, entries] = (await client.xautoclaim(
      s.r.stream,
      s.r.groupName,
      s.name,
      s.r.claimIdleMs,
      cursor,
      'COUNT',
      room,
    )) as [string, (StreamEntry | null)[], string[]?];
    // Our own slow entries come back too (idle is per entry): they are being handled already.
    const live = entries.filter((e): e is StreamEntry => e !== null && !s.holding.has(e[0]));
    if (live.length > 0) {
      s.log.info({ claimed: live.length }, 'claimed idle entries');
      await dispatchCounted(s, client, live);
      room -= live.length;
    }
    cursor = next;
    if (cursor === '0-0') return;
  }
}

/** Our own history: entries a predecessor with this name read but never acked. */
async function rereadOwnHistory(s: RedisConsumerState, rd: Redis, c: Redis): Promise<void> {
  // One pass from 0: entries that fail again stay pending for XAUTOCLAIM.
  let from = '0';
  for (;;) {
    const own = await readGroup(s, rd, from, false);
    if (own.length > 0) {
      await dispatchCounted(s, c, own);
      await Promise.allSettled([...s.inFlight]);
    }
    const last = own[own.length - 1];
    if (!last || own.length < s.w.batchSize || !s.running) return;
    from = last[0];
  }
}

/** Until no more than lowWater entries are held, or claimIntervalMs (for the next sweep). */
async function waitForRoom(s: RedisConsumerState): Promise<void> {
  const wake = new AbortController();
  const room = new Promise<void>((resolve) => (s.onRoom = resolve));
  const tick = sleep(s.r.claimIntervalMs, undefined, { signal: wake.signal }).catch(() => {});
  await Promise.race([room, tick]);
  wake.abort();
  s.onRoom = undefined;
}

/** When the loop last swept for idle entries and pruned idle consumers. */
interface Sweeps {
  lastClaim: number;
  lastPrune: number;
}

/**
 * One turn of the loop after the history: claim, prune, then wait for room or read. True
 * when it read.
 */
async function turn(s: RedisConsumerState, rd: Redis, c: Redis, sweeps: Sweeps): Promise<boolean> {
  const room = () => s.capacity - s.inFlight.size;
  const now = Date.now();
  // FAILPOINT no-claim: no XAUTOCLAIM (and no re-read of our own pending entries).
  if (now - sweeps.lastClaim >= s.r.claimIntervalMs && !failpoint('no-claim') && room() > 0) {
    sweeps.lastClaim = now;
    await claim(s, c, room());
  }
  if (now - sweeps.lastPrune >= Math.min(s.r.consumerDeleteIdleMs, 30_000)) {
    sweeps.lastPrune = now;
    await pruneConsumers(s, c);
  }
  if (!s.running) return false;
  if (s.inFlight.size > s.lowWater) {
    await waitForRoom(s);
    return false;
  }
  dispatch(s, c, await readGroup(s, rd, '>', true, room()), null);
  return true;
}

/**
 * The consume loop, until drain: first our own pending history, then claims, prunes and
 * reads. An error backs the loop off and it goes on.
 */
export async function consumeLoop(s: RedisConsumerState): Promise<void> {
  const rd = s.reader as Redis;
  const c = cmdOf(s);
  // FAILPOINT no-claim: no re-read of our own pending entries.
  let historyDone = failpoint('no-claim');
  const sweeps: Sweeps = { lastClaim: 0, lastPrune: Date.now() };
  let failures = 0;
  while (s.running) {
    try {
      if (!historyDone) {
        await rereadOwnHistory(s, rd, c);
        historyDone = true;
        continue;
      }
      if (await turn(s, rd, c, sweeps)) failures = 0;
    } catch (err) {
      if (!s.running) break;
      failures += 1;
      s.log.warn({ err: errorMessage(err) }, 'redis consume loop error; retrying');
      await sleep(backoffMs(failures, LOOP_BACKOFF), undefined, { signal: s.stop.signal }).catch(
        () => {},
      );
    }
  }
}
