import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import type { RawClients, TransportInspector } from '../driver.ts';
import type { Consumer, Handler, Publisher, WorkerConsumerOptions } from '../types.ts';
import { createKafkaConsumer } from './consumer.ts';
import { inspectKafka } from './inspector.ts';
import type { KafkaClientName } from './options.ts';
import { platformaticImpl } from './platformatic-lazy.ts';
import { createKafkaPublisher } from './publisher.ts';
import { kafkaRaw } from './raw.ts';

/** What differs between the Kafka client libraries: the driver's verbs, per client. */
export interface KafkaClientImpl {
  createPublisher(config: Config, options?: { logger?: Logger }): Publisher;
  createConsumer(config: Config, handler: Handler, options: WorkerConsumerOptions): Consumer;
  inspect(config: Config, consumerIdentity: (workerId: string) => string): TransportInspector;
  raw: RawClients;
}

const IMPLS: Readonly<Record<KafkaClientName, KafkaClientImpl>> = {
  kafkajs: {
    createPublisher: createKafkaPublisher,
    createConsumer: createKafkaConsumer,
    inspect: inspectKafka,
    raw: kafkaRaw,
  },
  platformatic: platformaticImpl,
};

/** The implementation KAFKA_CLIENT chose. */
export function kafkaClientOf(config: Config): KafkaClientImpl {
  return IMPLS[config.kafka.client];
}

/**
 * The bench's baselines on the configured client. The broker's own tool is the same ceiling
 * whichever client is measured, so it always runs through the kafkajs admin.
 */
export const configuredRaw: RawClients = {
  publisher: (config) => kafkaClientOf(config).raw.publisher(config),
  consumer: (options) => kafkaClientOf(options.config).raw.consumer(options),
  tool: kafkaRaw.tool,
};
