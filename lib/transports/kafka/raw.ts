import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { forEachBounded } from '../../bounded.ts';
import type { Config } from '../../config.ts';
import { decodeEnvelope } from '../../envelope.ts';
import type {
  BrokerToolInput,
  BrokerToolResult,
  RawClients,
  RawConsumer,
  RawConsumerOptions,
  RawPublisher,
} from '../driver.ts';
import { runTool } from '../run-tool.ts';
import { createKafkaClient, withKafkaAdmin } from './client.ts';
import { toKafkaMessage } from './message.ts';
import { ensureKafkaTopics } from './topics.ts';

async function publisher(config: Config): Promise<RawPublisher> {
  const client = createKafkaClient({ brokers: config.kafka.brokers, clientId: 'raw-publisher' });
  await withKafkaAdmin(client, (admin) =>
    ensureKafkaTopics(admin, { topic: config.kafka.topic, partitions: config.kafka.partitions }),
  );
  const producer = client.producer({
    allowAutoTopicCreation: false,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    async publish(events) {
      await producer.send({
        topic: config.kafka.topic,
        acks: -1,
        messages: events.map((event) => toKafkaMessage(event)),
      });
    },
    close: () => producer.disconnect(),
  };
}

/** eachBatch: the batch's sink writes (bounded), resolve, heartbeat, commit. */
async function consumer({ config, sink, consumerName }: RawConsumerOptions): Promise<RawConsumer> {
  const k = config.kafka;
  const kafka = createKafkaClient({ brokers: k.workersBrokers, clientId: consumerName });
  const c = kafka.consumer({
    groupId: k.groupId,
    sessionTimeout: k.sessionTimeoutMs,
    heartbeatInterval: k.heartbeatIntervalMs,
    rebalanceTimeout: k.rebalanceTimeoutMs,
    maxWaitTimeInMs: 500,
  });
  await c.connect();
  await c.subscribe({ topics: [k.topic], fromBeginning: true });
  await c.run({
    autoCommitInterval: k.commitIntervalMs,
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      const messages = payload.batch.messages;
      await forEachBounded(messages, config.workers.concurrency, async (m) => {
        if (m.value === null) return;
        const id = decodeEnvelope(m.value).id;
        await sink.record({
          transport: 'kafka',
          id,
          workerId: consumerName,
          pid: process.pid,
          deliveryCount: 1,
        });
      });
      const last = messages[messages.length - 1];
      if (last) payload.resolveOffset(last.offset);
      await payload.heartbeat();
      await payload.commitOffsetsIfNecessary();
    },
  });
  return { stop: () => c.disconnect() };
}

/** `ProducerPerformance --throughput -1 acks=all` on `<topic>-pp`, deleted afterwards. */
async function tool(o: BrokerToolInput): Promise<BrokerToolResult> {
  const client = createKafkaClient({ brokers: o.config.kafka.brokers, clientId: 'bench-tool' });
  const topic = `${o.config.kafka.topic}-pp`;
  return withKafkaAdmin(client, async (admin) => {
    await ensureKafkaTopics(admin, { topic, partitions: o.config.kafka.partitions });
    try {
      // prettier-ignore
      const out = await runTool('java', [
        '-Xmx256m', '-cp', join(o.kafkaLibsDir, '*'), 'org.apache.kafka.tools.ProducerPerformance',
        '--topic', topic, '--num-records', String(o.records), '--record-size', String(o.recordBytes),
        '--throughput', '-1', '--command-property', `bootstrap.servers=${o.config.kafka.brokers.join(',')}`, 'acks=all',
      ], o.timeoutMs);
      // "20000 records sent, 26881.72 records/sec (6.56 MB/sec), ..." is the summary line.
      const line = out.split('\n').find((l) => / records sent, [\d.]+ records\/sec/.test(l));
      const rate = line?.match(/records sent, ([\d.]+) records\/sec/)?.[1];
      if (line === undefined || rate === undefined)
        throw new Error(`no summary in ProducerPerformance output: ${out.slice(-300)}`);
      return {
        name: `ProducerPerformance acks=all record-size ${o.recordBytes}`,
        eventsPerS: Number(rate),
        line: line.trim(),
      };
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    }
  });
}

export const kafkaRaw: RawClients = { publisher, consumer, tool };
