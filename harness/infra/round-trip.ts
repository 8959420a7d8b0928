import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import type { Endpoints } from './types.ts';

/**
 * Produces one record through `brokers` and reads it back through the same address with a
 * fresh consumer group, so the round trip proves the proxied listener and its advertised
 * address both work. Returns the milliseconds it took.
 */
export async function kafkaRoundTrip(brokers: string, timeoutMs = 30000): Promise<number> {
  const started = Date.now();
  const kafka = new Kafka({
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    clientId: 'infra-check',
  });
  const topic = `infra-check-${randomUUID()}`;
  const value = randomUUID();
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `infra-check-${randomUUID()}` });
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value }] });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no record back from ${brokers} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: ({ message }) => {
            if (message.value?.toString() === value) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
  return Date.now() - started;
}

/** SET then GET of a random key through `url`. Returns the milliseconds it took. */
export async function redisRoundTrip(url: string): Promise<number> {
  const started = Date.now();
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  const key = `infra-check:${randomUUID()}`;
  try {
    await redis.connect();
    await redis.set(key, 'ok', 'PX', 60000);
    const got = await redis.get(key);
    if (got !== 'ok') throw new Error(`read back ${String(got)} from ${url}`);
    await redis.del(key);
  } finally {
    redis.disconnect();
  }
  return Date.now() - started;
}

/** A round trip through every proxied link, named as the proxies are. */
export async function checkAllLinks(endpoints: Endpoints): Promise<Record<string, number>> {
  return {
    'kafka-producer': await kafkaRoundTrip(endpoints.kafka.producer),
    'kafka-workers': await kafkaRoundTrip(endpoints.kafka.workers),
    'redis-producer': await redisRoundTrip(endpoints.redis.producer),
    'redis-workers': await redisRoundTrip(endpoints.redis.workers),
    'sink-workers': await redisRoundTrip(endpoints.sink.workers),
  };
}
