import { Queue } from 'bullmq';
import type { Config } from '../config.ts';
import type { TransportName } from '../envelope.ts';
import { createKafkaClient, withKafkaAdmin } from './kafka-client.ts';
import { createRedisClient, ONE_SHOT } from './redis-client.ts';
import { pairsToMap } from './redis-pairs.ts';
import { redisErrorCode } from './redis-error-code.ts';
import type { PendingState } from './types.ts';

/**
 * What the broker still holds unacknowledged, read over the harness' direct (never
 * faulted) endpoints: `config.kafka.brokers` and `config.redis.url`.
 */
export async function pendingState(
  transport: TransportName,
  config: Config,
): Promise<PendingState> {
  switch (transport) {
    case 'kafka':
      return kafkaPending(config);
    case 'redis':
      return redisPending(config);
    case 'bullmq':
      return bullmqPending(config);
  }
}

/** Group lag per partition: high watermark minus committed offset (or low watermark). */
async function kafkaPending(config: Config): Promise<PendingState> {
  const { topic, groupId } = config.kafka;
  const client = createKafkaClient({
    brokers: config.kafka.brokers,
    clientId: 'pending-state',
    retries: 3,
  });
  return withKafkaAdmin(client, async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) {
      return { transport: 'kafka', pending: 0, detail: { lag: 0, partitions: 0 } };
    }
    const [watermarks, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const done = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const detail: Record<string, number> = { lag: 0, partitions: watermarks.length };
    for (const w of watermarks) {
      const at = done.get(w.partition) ?? -1;
      const lag = Number(w.high) - (at >= 0 ? at : Number(w.low));
      detail[`lag.p${w.partition}`] = lag;
      detail.lag = (detail.lag ?? 0) + lag;
    }
    return { transport: 'kafka', pending: detail.lag ?? 0, detail };
  });
}

/** PEL size (XPENDING) plus entries never delivered to the group (XINFO GROUPS lag). */
async function redisPending(config: Config): Promise<PendingState> {
  const { stream, groupName } = config.redis;
  const redis = createRedisClient(config.redis.url, 'pending-state', ONE_SHOT);
  try {
    await redis.connect();
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
      return {
        transport: 'redis',
        pending: length,
        detail: { pel: 0, undelivered: length, length, group: 0 },
      };
    }
    const [pel] = (await redis.xpending(stream, groupName)) as [number, ...unknown[]];
    let undelivered = info.get('lag');
    if (undelivered === null || undelivered === undefined) {
      // Lag is unknown after deletions in the stream: count what follows last-delivered-id.
      const last = String(info.get('last-delivered-id'));
      undelivered = (await redis.xrange(stream, `(${last}`, '+')).length;
    }
    const undeliveredCount = Number(undelivered);
    return {
      transport: 'redis',
      pending: pel + undeliveredCount,
      detail: { pel, undelivered: undeliveredCount, length, group: 1 },
    };
  } finally {
    redis.disconnect();
  }
}

/** Jobs not yet finished: waiting, active, delayed, prioritized, waiting-children. */
async function bullmqPending(config: Config): Promise<PendingState> {
  // BullMQ's ESM build cannot create ioredis clients itself: hand it one (and close it).
  const connection = createRedisClient(config.redis.url, 'bullmq-reader', {
    retryStrategy: ONE_SHOT.retryStrategy,
  });
  const queue = new Queue(config.bullmq.queue, { connection, skipVersionCheck: true });
  try {
    const counts = await queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
    );
    const pending = Object.values(counts).reduce((a, b) => a + b, 0);
    return { transport: 'bullmq', pending, detail: counts };
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}
