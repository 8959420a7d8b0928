import type { TransportDriver } from '../driver.ts';
import { lazyConsumer, lazyInspector, lazyPublisher, lazyRaw, once } from '../lazy-clients.ts';
import { bullmqWorkerName } from './identity.ts';

type Clients = typeof import('./clients.ts');
/** The client library, loaded at first use (see lazy-clients.ts). */
const clients = once<Clients>(() =>
  typeof require === 'function'
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- see lazy-clients.ts
      Promise.resolve(require('./clients.ts') as Clients)
    : import('./clients.ts'),
);

/** BullMQ on the broker Redis: a queue, Workers, the failed set as dead letters. */
export const bullmqDriver: TransportDriver = {
  name: 'bullmq',
  features: {
    perKeyOrder: false,
    deliveryCount: 'native',
    deadLetters: "the queue's failed set",
    exactPendingAfterStop: true,
    rawPublishWaitsForReplicas: false,
  },
  // BullMQ rides on the broker Redis, so it shares the Redis links.
  links: { producer: 'redis-producer', workers: 'redis-workers' },
  messaging: (config) => ({ system: 'bullmq', destination: config.bullmq.queue }),
  isolatedNames: (runId) => ({ BULLMQ_QUEUE: `events-${runId}` }),
  createPublisher: (config, options) =>
    lazyPublisher('bullmq', async () => (await clients()).createBullmqPublisher(config, options)),
  createConsumer: (config, handler, options) =>
    lazyConsumer('bullmq', async () =>
      (await clients()).createBullmqConsumer(config, handler, options),
    ),
  consumerIdentity: (workerId) => bullmqWorkerName(workerId),
  inspect: (config) => lazyInspector(async () => (await clients()).inspectBullmq(config)),
  takeoverBound: (config) => ({
    boundMs: config.bullmq.lockDurationMs + config.bullmq.stalledIntervalMs,
    boundFrom: 'BULLMQ_LOCK_DURATION_MS + BULLMQ_STALLED_INTERVAL_MS',
  }),
  raw: lazyRaw(async () => (await clients()).bullmqRaw, false),
};
