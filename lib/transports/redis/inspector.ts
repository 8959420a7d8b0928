import type { Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import { deadLetterStream } from '../dead-letter-names.ts';
import type { TransportInspector } from '../driver.ts';
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

/** PEL size (XPENDING) plus entries never delivered to the group (XINFO GROUPS lag). */
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
  let undelivered = info.get('lag');
  if (undelivered === null || undelivered === undefined) {
    // Lag is unknown after deletions in the stream: count what follows last-delivered-id.
    const last = String(info.get('last-delivered-id'));
    undelivered = (await redis.xrange(stream, `(${last}`, '+')).length;
  }
  const count = Number(undelivered);
  return {
    transport: 'redis',
    pending: pel + count,
    detail: { pel, undelivered: count, length, group: 1 },
  };
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
  };
}
