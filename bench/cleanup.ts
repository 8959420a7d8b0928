import { Queue } from 'bullmq';
import type { Config } from '../lib/config.ts';
import { TRANSPORTS } from '../lib/envelope.ts';
import { createSink } from '../lib/sink.ts';
import { deadLetterStream, deadLetterTopic } from '../lib/transports/dead-letter-names.ts';
import { createKafkaClient, withKafkaAdmin } from '../lib/transports/kafka-client.ts';
import { createRedisClient } from '../lib/transports/redis-client.ts';

/**
 * Deletes what one measurement left in the brokers and the sink (topic, stream, queue,
 * ledger), so a full run does not grow the brokers' memory and disks by millions of
 * events. Best effort: a failure here never fails the bench.
 */
export async function cleanupRun(config: Config): Promise<void> {
  const tasks: Promise<unknown>[] = [];
  tasks.push(
    (async () => {
      const client = createKafkaClient({
        brokers: config.kafka.brokers,
        clientId: 'bench-cleanup',
        retries: 1,
      });
      await withKafkaAdmin(client, async (admin) => {
        const existing = new Set(await admin.listTopics());
        const topics = [config.kafka.topic, deadLetterTopic(config.kafka.topic)].filter((t) =>
          existing.has(t),
        );
        if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
        await admin.deleteGroups([config.kafka.groupId]).catch(() => undefined);
      });
    })(),
  );
  tasks.push(
    (async () => {
      const redis = createRedisClient(config.redis.url, 'bench-cleanup', { lazyConnect: true });
      await redis.connect();
      try {
        await redis.del(config.redis.stream, deadLetterStream(config.redis.stream));
        const queue = new Queue(config.bullmq.queue, { connection: redis, skipVersionCheck: true });
        await queue.obliterate({ force: true });
        await queue.close();
      } finally {
        redis.disconnect();
      }
    })(),
  );
  tasks.push(
    (async () => {
      const redis = createRedisClient(config.sink.url, 'bench-cleanup', { lazyConnect: true });
      await redis.connect();
      try {
        const sink = createSink(redis, { namespace: config.sink.namespace });
        await Promise.all(TRANSPORTS.map((t) => sink.clear(t)));
      } finally {
        redis.disconnect();
      }
    })(),
  );
  await Promise.allSettled(tasks);
}
