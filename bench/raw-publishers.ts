import { Queue } from 'bullmq';
import kafkajs from 'kafkajs';
import type { Config } from '../lib/config.ts';
import { encodeEnvelope, type EventEnvelope, type TransportName } from '../lib/envelope.ts';
import { bullmqJobId } from '../lib/transports/bullmq-job-id.ts';
import { createKafkaClient, withKafkaAdmin } from '../lib/transports/kafka-client.ts';
import { ensureKafkaTopics } from '../lib/transports/kafka-topics.ts';
import { createRedisClient } from '../lib/transports/redis-client.ts';
import { addStreamEntry } from '../lib/transports/redis-stream-entry.ts';
import { chunks, forEachBounded } from './bounded.ts';

/**
 * The baseline: each broker's own client doing the same durable publish as the producer,
 * in the producer's wire format, with nothing around it.
 */
export interface RawPublisher {
  /** One durable batch: resolves after the broker's ack. `partition` pins Kafka messages. */
  publish(events: readonly EventEnvelope[], partition?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createRawPublisher(
  transport: TransportName,
  config: Config,
): Promise<RawPublisher> {
  if (transport === 'kafka') {
    const client = createKafkaClient({ brokers: config.kafka.brokers, clientId: 'bench-raw' });
    await withKafkaAdmin(client, (admin) =>
      ensureKafkaTopics(admin, { topic: config.kafka.topic, partitions: config.kafka.partitions }),
    );
    const producer = client.producer({
      allowAutoTopicCreation: false,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return {
      async publish(events, partition) {
        await producer.send({
          topic: config.kafka.topic,
          acks: -1,
          messages: events.map((e) => ({
            key: e.key ?? e.id,
            value: encodeEnvelope(e),
            headers: { id: e.id, type: e.type },
            ...(partition === undefined ? {} : { partition }),
          })),
        });
      },
      close: () => producer.disconnect(),
    };
  }
  const redis = createRedisClient(config.redis.url, 'bench-raw', { lazyConnect: true });
  await redis.connect();
  if (transport === 'redis') {
    return {
      async publish(events) {
        const pipeline = redis.pipeline();
        for (const e of events) addStreamEntry(pipeline, config.redis.stream, e);
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([err]) => err !== null);
        if (failed) throw failed[0] as Error;
      },
      close() {
        redis.disconnect();
        return Promise.resolve();
      },
    };
  }
  const queue = new Queue(config.bullmq.queue, { connection: redis, skipVersionCheck: true });
  return {
    async publish(events) {
      await queue.addBulk(
        events.map((e) => ({ name: e.type, data: e, opts: { jobId: bullmqJobId(e.id) } })),
      );
    },
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

/** Fills a backlog fast: batches of 1000, four in flight. */
export async function fillBacklog(
  transport: TransportName,
  config: Config,
  events: readonly EventEnvelope[],
): Promise<void> {
  const publisher = await createRawPublisher(transport, config);
  try {
    await forEachBounded(chunks(events, 1000), 4, (batch) => publisher.publish(batch));
  } finally {
    await publisher.close();
  }
}
