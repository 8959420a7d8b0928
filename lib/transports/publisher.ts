import type { Config } from '../config.ts';
import type { TransportName } from '../envelope.ts';
import type { Logger } from '../log.ts';
import { createBullmqPublisher } from './bullmq-publisher.ts';
import { createKafkaPublisher } from './kafka-publisher.ts';
import { createRedisPublisher } from './redis-publisher.ts';
import type { Publisher } from './types.ts';

export interface CreatePublisherOptions {
  logger?: Logger;
}

/**
 * The publisher for one transport. It connects in the background and keeps reconnecting;
 * until it is ready `publish` fails fast with NotSentError and `isReady()` is false.
 */
export function createPublisher(
  transport: TransportName,
  config: Config,
  options: CreatePublisherOptions = {},
): Publisher {
  switch (transport) {
    case 'kafka':
      return createKafkaPublisher(config, options);
    case 'redis':
      return createRedisPublisher(config, options);
    case 'bullmq':
      return createBullmqPublisher(config, options);
  }
}

/** Resolves once every publisher is ready; false if `timeoutMs` passed first. */
export async function waitForPublishers(
  publishers: Iterable<Publisher>,
  timeoutMs: number,
  pollMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const list = [...publishers];
  while (!list.every((p) => p.isReady())) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return true;
}
