import type { Config } from '../config.ts';
import type { TransportName } from '../envelope.ts';
import { createBullmqConsumer } from './bullmq-consumer.ts';
import { createKafkaConsumer } from './kafka-consumer.ts';
import { createRedisConsumer } from './redis-consumer.ts';
import type { Consumer, Handler, WorkerConsumerOptions } from './types.ts';

export type { WorkerConsumerOptions };

/** The consume side of `transport`, wired to `handler`. Call `start()`, later `drain()`. */
export function createConsumer(
  transport: TransportName,
  config: Config,
  handler: Handler,
  options: WorkerConsumerOptions,
): Consumer {
  switch (transport) {
    case 'kafka':
      return createKafkaConsumer(config, handler, options);
    case 'redis':
      return createRedisConsumer(config, handler, options);
    case 'bullmq':
      return createBullmqConsumer(config, handler, options);
  }
}
