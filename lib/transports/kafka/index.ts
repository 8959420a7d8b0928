import type { TransportDriver } from '../driver.ts';
import { lazyConsumer, lazyInspector, lazyPublisher, lazyRaw, once } from '../lazy-clients.ts';
import { kafkaConsumerId } from './identity.ts';

type Clients = typeof import('./clients.ts');
/** The client library, loaded at first use (see lazy-clients.ts). */
const clients = once<Clients>(() =>
  typeof require === 'function'
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- see lazy-clients.ts
      Promise.resolve(require('./clients.ts') as Clients)
    : import('./clients.ts'),
);

/**
 * Apache Kafka: a topic, a consumer group, `<topic>.dlq`. One driver whichever client
 * library runs it: KAFKA_CLIENT picks kafkajs (the default) or @platformatic/kafka for the
 * producer, the workers and the harness' reads (clients.ts); the answers and guarantees
 * are the same, the differences are listed in the README.
 */
export const kafkaDriver: TransportDriver = {
  name: 'kafka',
  features: {
    perKeyOrder: true,
    deliveryCount: 'receipts',
    deadLetters: 'the <topic>.dlq topic',
    exactPendingAfterStop: false,
    rawPublishWaitsForReplicas: true,
  },
  links: { producer: 'kafka-producer', workers: 'kafka-workers' },
  messaging: (config) => ({ system: 'kafka', destination: config.kafka.topic }),
  isolatedNames: (runId) => ({ KAFKA_TOPIC: `events-${runId}`, KAFKA_GROUP: `workers-${runId}` }),
  createPublisher: (config, options) =>
    lazyPublisher('kafka', async () =>
      (await clients()).kafkaClientOf(config).createPublisher(config, options),
    ),
  createConsumer: (config, handler, options) =>
    lazyConsumer('kafka', async () =>
      (await clients()).kafkaClientOf(config).createConsumer(config, handler, options),
    ),
  consumerIdentity: kafkaConsumerId,
  inspect: (config) =>
    lazyInspector(async () =>
      (await clients()).kafkaClientOf(config).inspect(config, kafkaConsumerId),
    ),
  takeoverBound: (config) => ({
    boundMs: config.kafka.sessionTimeoutMs,
    boundFrom: 'KAFKA_SESSION_TIMEOUT_MS',
  }),
  raw: lazyRaw(async () => (await clients()).configuredRaw, true),
  variants: [{ name: 'platformatic', env: { KAFKA_CLIENT: 'platformatic' } }],
};
