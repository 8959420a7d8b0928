import type { TransportDriver } from '../driver.ts';
import { lazyConsumer, lazyInspector, lazyPublisher, lazyRaw, once } from '../lazy-clients.ts';
import { redisConsumerName } from './identity.ts';

type Clients = typeof import('./clients.ts');
/** The client library, loaded at first use (see lazy-clients.ts). */
const clients = once<Clients>(() =>
  typeof require === 'function'
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- see lazy-clients.ts
      Promise.resolve(require('./clients.ts') as Clients)
    : import('./clients.ts'),
);

/** Redis Streams through ioredis: a stream, a consumer group, `<stream>.dlq`. */
export const redisDriver: TransportDriver = {
  name: 'redis',
  features: {
    perKeyOrder: false,
    deliveryCount: 'native',
    deadLetters: 'the <stream>.dlq stream',
    exactPendingAfterStop: true,
    rawPublishWaitsForReplicas: false,
  },
  links: { producer: 'redis-producer', workers: 'redis-workers' },
  messaging: (config) => ({ system: 'redis', destination: config.redis.stream }),
  isolatedNames: (runId) => ({ REDIS_STREAM: `events-${runId}`, REDIS_GROUP: `workers-${runId}` }),
  createPublisher: (config, options) =>
    lazyPublisher('redis', async () => (await clients()).createRedisPublisher(config, options)),
  createConsumer: (config, handler, options) =>
    lazyConsumer('redis', async () =>
      (await clients()).createRedisConsumer(config, handler, options),
    ),
  consumerIdentity: (workerId) => redisConsumerName(workerId),
  inspect: (config) => lazyInspector(async () => (await clients()).inspectRedis(config)),
  takeoverBound: (config) => ({
    boundMs: config.redis.claimIdleMs + config.redis.claimIntervalMs,
    boundFrom: 'REDIS_CLAIM_IDLE_MS + REDIS_CLAIM_INTERVAL_MS',
  }),
  raw: lazyRaw(async () => (await clients()).redisRaw, true),
};
