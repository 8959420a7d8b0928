import type { TransportDriver } from '../driver.ts';
import { createRedisConsumer } from './consumer.ts';
import { redisConsumerName } from './identity.ts';
import { inspectRedis } from './inspector.ts';
import { createRedisPublisher } from './publisher.ts';
import { redisRaw } from './raw.ts';

/** Redis Streams through ioredis: a stream, a consumer group, `<stream>.dlq`. */
export const redisDriver: TransportDriver = {
  name: 'redis',
  features: {
    perKeyOrder: false,
    deliveryCount: 'native',
    deadLetters: 'the <stream>.dlq stream',
    exactPendingAfterStop: true,
  },
  links: { producer: 'redis-producer', workers: 'redis-workers' },
  messaging: (config) => ({ system: 'redis', destination: config.redis.stream }),
  isolatedNames: (runId) => ({ REDIS_STREAM: `events-${runId}`, REDIS_GROUP: `workers-${runId}` }),
  createPublisher: (config, options) => createRedisPublisher(config, options),
  createConsumer: createRedisConsumer,
  consumerIdentity: (workerId) => redisConsumerName(workerId),
  inspect: inspectRedis,
  takeoverBound: (config) => ({
    boundMs: config.redis.claimIdleMs + config.redis.claimIntervalMs,
    boundFrom: 'REDIS_CLAIM_IDLE_MS + REDIS_CLAIM_INTERVAL_MS',
  }),
  raw: redisRaw,
};
