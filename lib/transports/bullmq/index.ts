import type { TransportDriver } from '../driver.ts';
import { createBullmqConsumer } from './consumer.ts';
import { bullmqWorkerName } from './identity.ts';
import { inspectBullmq } from './inspector.ts';
import { createBullmqPublisher } from './publisher.ts';
import { bullmqRaw } from './raw.ts';

/** BullMQ on the broker Redis: a queue, Workers, the failed set as dead letters. */
export const bullmqDriver: TransportDriver = {
  name: 'bullmq',
  features: {
    perKeyOrder: false,
    deliveryCount: 'native',
    deadLetters: "the queue's failed set",
    exactPendingAfterStop: true,
  },
  // BullMQ rides on the broker Redis, so it shares the Redis links.
  links: { producer: 'redis-producer', workers: 'redis-workers' },
  messaging: (config) => ({ system: 'bullmq', destination: config.bullmq.queue }),
  isolatedNames: (runId) => ({ BULLMQ_QUEUE: `events-${runId}` }),
  createPublisher: (config, options) => createBullmqPublisher(config, options),
  createConsumer: createBullmqConsumer,
  consumerIdentity: (workerId) => bullmqWorkerName(workerId),
  inspect: inspectBullmq,
  takeoverBound: (config) => ({
    boundMs: config.bullmq.lockDurationMs + config.bullmq.stalledIntervalMs,
    boundFrom: 'BULLMQ_LOCK_DURATION_MS + BULLMQ_STALLED_INTERVAL_MS',
  }),
  raw: bullmqRaw,
};
