import type { Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import { deadLetterStream } from '../dead-letter-names.ts';
import type { LostClass, TransportInspector } from '../driver.ts';
import { createRedisClient, ONE_SHOT } from '../redis-client.ts';
import { redisTarget } from '../redis-target.ts';
import { redisErrorCode } from '../redis-error-code.ts';
import { pairsToMap } from '../redis-pairs.ts';
import type { DeadLetter, PendingState } from '../types.ts';
import { redisConsumerName } from './identity.ts';

/** Runs `use` on a one-shot connection to the broker Redis, closed afterwards. */
async function withRedis<T>(config: Config, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = createRedisClient(redisTarget(config, 'direct'), 'inspector', ONE_SHOT);
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * PEL size (XPENDING) plus entries never delivered to the group. XINFO GROUPS' `lag` is
 * `entries-added - entries-read`, and a restart can leave `entries-read` behind (Redis 7.0:
 * 114 of 770 after a kill -9 and AOF reload, with every entry delivered), so it is only
 * believed while an entry really follows `last-delivered-id`; else it is counted.
 */
async function pending(redis: Redis, stream: string, groupName: string): Promise<PendingState> {
  const length = await redis.xlen(stream);
  let groups: unknown[][];
  try {
    groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  } catch (err) {
    if (redisErrorCode(err) !== 'ERR') throw err; // no such key
    groups = [];
  }
  const info = groups.map((g) => pairsToMap(g)).find((m) => m.get('name') === groupName);
  if (!info) {
    const detail = { pel: 0, undelivered: length, length, group: 0 };
    return { transport: 'redis', pending: length, detail };
  }
  const [pel] = (await redis.xpending(stream, groupName)) as [number, ...unknown[]];
  const count = await undelivered(redis, stream, info);
  return {
    transport: 'redis',
    pending: pel + count,
    detail: { pel, undelivered: count, length, group: 1 },
  };
}

/** Entries after the group's `last-delivered-id`: none, `lag`, or counted when lag says 0 or nothing. */
async function undelivered(
  redis: Redis,
  stream: string,
  group: Map<string, unknown>,
): Promise<number> {
  const last = String(group.get('last-delivered-id'));
  const after = await redis.xrange(stream, `(${last}`, '+', 'COUNT', 1);
  if (after.length === 0) return 0;
  const lag = Number(group.get('lag') ?? 0);
  // Lag is unknown (null) after deletions, and may be stale after a restart: count instead.
  return lag > 0 ? lag : (await redis.xrange(stream, `(${last}`, '+')).length;
}

/** Every entry of a stream, one XRANGE page at a time, as field maps. */
async function* entries(redis: Redis, stream: string, pageSize: number) {
  for (let start = '-'; ;) {
    const page = await redis.xrange(stream, start, '+', 'COUNT', pageSize);
    for (const [, fields] of page) yield pairsToMap(fields);
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return;
    start = `(${last[0]}`;
  }
}

async function deadLetters(redis: Redis, stream: string, pageSize: number): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  for await (const m of entries(redis, stream, pageSize)) {
    out.push({
      id: m.get('id') ?? '',
      error: m.get('error') ?? '',
      deliveries: Number(m.get('deliveries') ?? 0),
    });
  }
  return out;
}

/** The event ids of the entries in one consumer's PEL. */
async function heldBy(redis: Redis, stream: string, group: string, consumer: string) {
  const rows = (await redis.xpending(stream, group, '-', '+', 10_000, consumer)) as [string][];
  if (rows.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const [entryId] of rows) pipeline.xrange(stream, entryId, entryId);
  const replies = (await pipeline.exec()) ?? [];
  return replies.flatMap(([, reply]) => {
    const fields = (reply as [string, string[]][] | null)?.[0]?.[1] ?? [];
    const id = pairsToMap(fields).get('id');
    return id === undefined ? [] : [id];
  });
}

/** Stream ids (`<ms>-<seq>`) in stream order. */
function entryBefore(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am < bm || (am === bm && as < bs);
}

/** The entry id of each wanted event, and the first entry whose event a worker was seen with. */
async function placeEntries(
  redis: Redis,
  stream: string,
  wanted: ReadonlySet<string>,
  seen: (id: string) => boolean,
): Promise<{ found: Map<string, string>; firstSeen?: string }> {
  const found = new Map<string, string>();
  let firstSeen: string | undefined;
  for (let start = '-'; ;) {
    const page = await redis.xrange(stream, start, '+', 'COUNT', 1000);
    for (const [entryId, fields] of page) {
      const id = pairsToMap(fields).get('id') ?? '';
      if (wanted.has(id) && !found.has(id)) found.set(id, entryId);
      if (firstSeen === undefined && seen(id)) firstSeen = entryId;
    }
    const last = page[page.length - 1];
    if (!last || page.length < 1000) return { found, firstSeen };
    start = `(${last[0]}`;
  }
}

/** The group's last delivered id (undefined: no group), and which entries sit in its PEL. */
async function groupBooks(redis: Redis, stream: string, group: string, entryIds: string[]) {
  let groups: unknown[][] = [];
  try {
    groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  } catch (err) {
    if (redisErrorCode(err) !== 'ERR') throw err; // no such key
  }
  const info = groups.map((g) => pairsToMap(g)).find((m) => m.get('name') === group);
  const pel = new Set<string>();
  if (!info) return { lastDelivered: undefined, pel };
  const pipeline = redis.pipeline();
  for (const entryId of entryIds) pipeline.xpending(stream, group, entryId, entryId, 1);
  const replies = (await pipeline.exec()) ?? [];
  replies.forEach(([err, rows], i) => {
    if (!err && (rows as unknown[] | null)?.length) pel.add(entryIds[i] as string);
  });
  return { lastDelivered: String(info.get('last-delivered-id')), pel };
}

/**
 * In a PEL: delivered (to a consumer that never acknowledged it). Past the group's last
 * delivered id, or before the first entry a worker was seen with (the group started past
 * it): not delivered. Else delivered and acknowledged. A trimmed entry is simply gone.
 */
async function locate(
  redis: Redis,
  names: { stream: string; groupName: string },
  ids: readonly string[],
  seen: (id: string) => boolean,
): Promise<Map<string, LostClass>> {
  const { found, firstSeen } = await placeEntries(redis, names.stream, new Set(ids), seen);
  const books = await groupBooks(redis, names.stream, names.groupName, [...found.values()]);
  return new Map(
    ids.map((id): [string, LostClass] => {
      const entryId = found.get(id);
      if (entryId === undefined) return [id, 'never-stored'];
      if (books.pel.has(entryId)) return [id, 'delivered-unapplied'];
      const { lastDelivered } = books;
      const delivered =
        lastDelivered !== undefined &&
        !entryBefore(lastDelivered, entryId) &&
        firstSeen !== undefined &&
        !entryBefore(entryId, firstSeen);
      return [id, delivered ? 'delivered-unapplied' : 'stored-undelivered'];
    }),
  );
}

/** Redis Streams read over the direct endpoint (`REDIS_URL`): PEL, lag, `<stream>.dlq`. */
export function inspectRedis(config: Config): TransportInspector {
  const { stream, groupName } = config.redis;
  return {
    pending: () => withRedis(config, (redis) => pending(redis, stream, groupName)),
    deadLetters: (options = {}) =>
      withRedis(config, (redis) =>
        deadLetters(redis, deadLetterStream(stream), options.pageSize ?? 1000),
      ),
    heldBy: (workerId) =>
      withRedis(config, (redis) => heldBy(redis, stream, groupName, redisConsumerName(workerId))),
    storedIds: () =>
      withRedis(config, async (redis) => {
        const ids = new Set<string>();
        for await (const m of entries(redis, stream, 1000)) ids.add(m.get('id') ?? '');
        return ids;
      }),
    // Consumers join a group by reading: nothing to settle.
    settled: () => Promise.resolve(true),
    removeAll: () =>
      withRedis(config, async (redis) => {
        await redis.del(stream, deadLetterStream(stream));
      }),
    locate: (ids, seen) =>
      withRedis(config, (redis) => locate(redis, { stream, groupName }, ids, seen)),
  };
}
