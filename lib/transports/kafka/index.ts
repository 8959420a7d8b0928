import type { TransportDriver } from '../driver.ts';
import { createKafkaConsumer } from './consumer.ts';
import { kafkaConsumerId } from './identity.ts';
import { inspectKafka } from './inspector.ts';
import { createKafkaPublisher } from './publisher.ts';
import { kafkaRaw } from './raw.ts';

/** Apache Kafka through kafkajs: a topic, a consumer group, `<topic>.dlq`. */
export const kafkaDriver: TransportDriver = {
  name: 'kafka',
  features: {
    perKeyOrder: true,
    deliveryCount: 'receipts',
    deadLetters: 'the <topic>.dlq topic',
    exactPendingAfterStop: false,
  },
  links: { producer: 'kafka-producer', workers: 'kafka-workers' },
  messaging: (config) => ({ system: 'kafka', destination: config.kafka.topic }),
  isolatedNames: (runId) => ({ KAFKA_TOPIC: `events-${runId}`, KAFKA_GROUP: `workers-${runId}` }),
  createPublisher: (config, options) => createKafkaPublisher(config, options),
  createConsumer: createKafkaConsumer,
  consumerIdentity: kafkaConsumerId,
  inspect: (config) => inspectKafka(config, kafkaConsumerId),
  takeoverBound: (config) => ({
    boundMs: config.kafka.sessionTimeoutMs,
    boundFrom: 'KAFKA_SESSION_TIMEOUT_MS',
  }),
  raw: kafkaRaw,
};
