import kafkajs, { type Admin, type Producer } from 'kafkajs';
import type { Config } from '../../config.ts';
import { NotSentError } from '../../errors.ts';
import { createHealthMonitor, type HealthMonitor } from '../../health-monitor.ts';
import type { Logger } from '../../log.ts';
import { withTimeout } from '../../with-timeout.ts';
import { createKafkaClient } from './client.ts';
import { readMessageLimit, type MessageLimit } from './message-limit.ts';
import { ensureKafkaTopics } from './topics.ts';

/** The producer's connection to Kafka, its first-contact set-up and its health. */
export interface ProducerLink {
  readonly producer: Producer;
  readonly health: HealthMonitor;
  /** Set up (topic made, limit read, producer connected) and the last check passed. */
  isReady(): boolean;
  /** The broker's message limit, once read at set-up. */
  limit(): MessageLimit | undefined;
  brokerCount(): number;
  close(): Promise<void>;
}

/**
 * Connects in the background and keeps checking: the first successful check makes the
 * topic, reads the message limit and connects the producer; later ones describe the
 * cluster. kafkajs' own retries are off, so a failure describes exactly one attempt.
 */
export function createProducerLink(config: Config, logger: Logger): ProducerLink {
  const { ackTimeoutMs, healthIntervalMs } = config.producer;
  const { topic, partitions } = config.kafka;
  const checkTimeoutMs = Math.min(ackTimeoutMs, 2000);
  const kafka = createKafkaClient({
    brokers: config.kafka.producerBrokers,
    clientId: 'pipeline-producer',
    connectionTimeoutMs: checkTimeoutMs,
    requestTimeoutMs: ackTimeoutMs,
    retries: 0,
    // kafkajs logs every failed reconnect; the health monitor logs each state change once.
    logger: logger.child({}, { level: logger.isLevelEnabled('debug') ? logger.level : 'fatal' }),
  });
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    // Named explicitly (murmur2, as the Java client): same key, same partition.
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    retry: { retries: 0 },
  });
  const admin: Admin = kafka.admin({ retry: { retries: 0 } });
  let setUp = false;
  let brokerCount = 0;
  let limit: MessageLimit | undefined;

  const setUpOnce = async () => {
    await admin.connect();
    await ensureKafkaTopics(admin, { topic, partitions });
    limit = await readMessageLimit(admin, topic);
    logger.info({ limitBytes: limit.bytes, setting: limit.setting }, 'kafka message limit');
    await producer.connect();
    setUp = true;
  };
  const health = createHealthMonitor({
    intervalMs: healthIntervalMs,
    // Topic creation waits for leaders, so the first check gets the full ack timeout.
    timeoutMs: ackTimeoutMs,
    check: async () => {
      if (!setUp) await setUpOnce();
      const describe = admin.describeCluster();
      const timedOut = () => new NotSentError('describeCluster timed out');
      brokerCount = (await withTimeout(describe, checkTimeoutMs, timedOut)).brokers.length;
    },
    onChange: (ready, err) =>
      ready
        ? logger.info({ brokerCount }, 'kafka ready')
        : logger.warn({ err }, 'kafka unreachable'),
  });
  void health.checkNow();

  return {
    producer,
    health,
    isReady: () => setUp && health.isReady(),
    limit: () => limit,
    brokerCount: () => brokerCount,
    async close() {
      health.stop();
      const results = await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      for (const r of results)
        if (r.status === 'rejected') logger.warn({ err: r.reason }, 'kafka disconnect failed');
    },
  };
}
