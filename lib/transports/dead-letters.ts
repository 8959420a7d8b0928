import { Queue } from 'bullmq';
import type { Config } from '../config.ts';
import { decodeEnvelope, type EventEnvelope, type TransportName } from '../envelope.ts';
import { eventIdFromJobId } from './bullmq-job-id.ts';
import { deadLetterStream, deadLetterTopic } from './dead-letter-names.ts';
import { createKafkaClient } from './kafka-client.ts';
import { createRedisClient, ONE_SHOT } from './redis-client.ts';
import { pairsToMap } from './redis-pairs.ts';
import type { DeadLetter } from './types.ts';

export interface ReadDeadLettersOptions {
  /** Kafka: longest time to read the dead-letter topic to its end. */
  timeoutMs?: number;
  /** Page size for XRANGE and the BullMQ failed set. */
  pageSize?: number;
}

/**
 * Every dead-lettered event of a transport with its error, read over the direct endpoints:
 * Kafka `<topic>.dlq`, Redis `<stream>.dlq`, BullMQ's failed set.
 */
export async function readDeadLetters(
  transport: TransportName,
  config: Config,
  options: ReadDeadLettersOptions = {},
): Promise<DeadLetter[]> {
  const opts = { timeoutMs: 20_000, pageSize: 1000, ...options };
  switch (transport) {
    case 'kafka':
      return kafkaDeadLetters(config, opts.timeoutMs);
    case 'redis':
      return redisDeadLetters(config, opts.pageSize);
    case 'bullmq':
      return bullmqDeadLetters(config, opts.pageSize);
  }
}

/** Reads the topic from offset 0 to the high watermarks taken at the start. */
async function kafkaDeadLetters(config: Config, timeoutMs: number): Promise<DeadLetter[]> {
  const topic = deadLetterTopic(config.kafka.topic);
  const client = createKafkaClient({
    brokers: config.kafka.brokers,
    clientId: 'dead-letters',
    retries: 3,
  });
  const admin = client.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    const watermarks = await admin.fetchTopicOffsets(topic);
    const remaining = new Map(
      watermarks
        .filter((w) => Number(w.high) > Number(w.low))
        .map((w) => [w.partition, Number(w.high)]),
    );
    if (remaining.size === 0) return [];
    const out: DeadLetter[] = [];
    // A throwaway group, deleted afterwards, so reading never moves anyone's offsets.
    const groupId = `dead-letters-${process.pid}-${Date.now()}`;
    const consumer = client.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 1000 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)),
          timeoutMs,
        );
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const header = (name: string) => message.headers?.[name]?.toString();
              let id = header('id') ?? message.key?.toString() ?? '';
              if (message.value) {
                try {
                  id = decodeEnvelope(message.value).id;
                } catch {
                  // keep the header id: a malformed event is still a dead letter
                }
              }
              out.push({
                id,
                error: header('error') ?? '',
                deliveries: Number(header('deliveries') ?? 0),
              });
              if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0))
                remaining.delete(partition);
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

async function redisDeadLetters(config: Config, pageSize: number): Promise<DeadLetter[]> {
  const redis = createRedisClient(config.redis.url, 'dead-letters', ONE_SHOT);
  try {
    await redis.connect();
    const stream = deadLetterStream(config.redis.stream);
    const out: DeadLetter[] = [];
    let start = '-';
    for (;;) {
      const page = await redis.xrange(stream, start, '+', 'COUNT', pageSize);
      for (const [, fields] of page) {
        const m = pairsToMap(fields);
        out.push({
          id: m.get('id') ?? '',
          error: m.get('error') ?? '',
          deliveries: Number(m.get('deliveries') ?? 0),
        });
      }
      const last = page[page.length - 1];
      if (!last || page.length < pageSize) return out;
      start = `(${last[0]}`;
    }
  } finally {
    redis.disconnect();
  }
}

async function bullmqDeadLetters(config: Config, pageSize: number): Promise<DeadLetter[]> {
  // BullMQ's ESM build cannot create ioredis clients itself: hand it one (and close it).
  const connection = createRedisClient(config.redis.url, 'bullmq-reader', {
    retryStrategy: ONE_SHOT.retryStrategy,
  });
  const queue = new Queue(config.bullmq.queue, { connection, skipVersionCheck: true });
  try {
    const out: DeadLetter[] = [];
    for (let start = 0; ; start += pageSize) {
      const jobs = await queue.getFailed(start, start + pageSize - 1);
      for (const job of jobs) {
        const data = job.data as Partial<EventEnvelope> | undefined;
        const id = typeof data?.id === 'string' ? data.id : eventIdFromJobId(String(job.id));
        out.push({ id, error: job.failedReason ?? '', deliveries: job.attemptsStarted });
      }
      if (jobs.length < pageSize) return out;
    }
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}
