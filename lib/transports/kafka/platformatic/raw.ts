import { Consumer, ProduceAcks, Producer } from '@platformatic/kafka';
import { forEachBounded } from '../../../bounded.ts';
import type { Config } from '../../../config.ts';
import { decodeEnvelope } from '../../../envelope.ts';
import type { RawClients, RawConsumer, RawConsumerOptions, RawPublisher } from '../../driver.ts';
import { readBatches, type PlatformaticStream } from './batches.ts';
import { baseOptions, forceClose, withPlatformaticAdmin } from './client.ts';
import { toPlatformaticRecord } from './message.ts';
import { partitionFor } from './partition.ts';
import { ensurePlatformaticTopics } from './topics.ts';

/**
 * `send` with `acks: -1`, the records as the publisher writes them. Not idempotent: the bench
 * sends batches concurrently, which the client's idempotent producer does not survive (see
 * dead-letters.ts); the publisher sends one request at a time instead.
 */
async function publisher(config: Config): Promise<RawPublisher> {
  const client = { brokers: config.kafka.brokers, clientId: 'raw-publisher' };
  const { topic, partitions } = config.kafka;
  await withPlatformaticAdmin(client, (admin) =>
    ensurePlatformaticTopics(admin, { topic, partitions }),
  );
  const producer = new Producer({ ...baseOptions(client), acks: ProduceAcks.ALL });
  const count = (await producer.metadata({ topics: [topic] })).topics.get(topic)?.partitionsCount;
  return {
    async publish(events) {
      const messages = events.map((e) => {
        const record = toPlatformaticRecord(topic, e);
        return { ...record, partition: partitionFor(record.key!, count ?? partitions) };
      });
      await producer.send({ messages, acks: ProduceAcks.ALL });
    },
    close: () => producer.close(),
  };
}

/** Each fetched batch: its sink writes (bounded), then one commit of its last offsets. */
async function consumer({ config, sink, consumerName }: RawConsumerOptions): Promise<RawConsumer> {
  const k = config.kafka;
  const c = new Consumer({
    ...baseOptions({ brokers: k.workersBrokers, clientId: consumerName }),
    groupId: k.groupId,
    sessionTimeout: k.sessionTimeoutMs,
    heartbeatInterval: k.heartbeatIntervalMs,
    rebalanceTimeout: k.rebalanceTimeoutMs,
    autocommit: false,
  });
  c.on('error', () => undefined);
  const stream = (await c.consume({
    topics: [k.topic],
    mode: 'committed',
    fallbackMode: 'earliest',
    maxWaitTime: 500,
  })) as PlatformaticStream;
  const reader = readBatches(stream);
  const loop = (async () => {
    for (let batch; (batch = await reader.next(1000));) {
      await forEachBounded(batch, config.workers.concurrency, async (m) => {
        const id = decodeEnvelope(m.value).id;
        await sink.record({
          transport: 'kafka',
          id,
          workerId: consumerName,
          pid: process.pid,
          deliveryCount: 1,
        });
      });
      const last = new Map(batch.map((m) => [m.partition, m.offset + 1n]));
      const offsets = [...last].map(([partition, offset]) => ({
        topic: k.topic,
        partition,
        offset,
        leaderEpoch: -1,
      }));
      await c.commit({ offsets });
    }
  })();
  return {
    stop: async () => {
      await stream.close().catch(() => undefined);
      await loop.catch(() => undefined);
      await forceClose(c).catch(() => undefined);
    },
  };
}

/** The broker's tool is the kafkajs driver's (clients.ts): the same ceiling for both. */
export const platformaticRaw: Pick<RawClients, 'publisher' | 'consumer'> = { publisher, consumer };
