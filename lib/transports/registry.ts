import { TRANSPORTS, type TransportName } from '../envelope.ts';
import { bullmqDriver } from './bullmq/index.ts';
import type { TransportDriver } from './driver.ts';
import { kafkaDriver } from './kafka/index.ts';
import { redisDriver } from './redis/index.ts';

/** Every transport's driver. A new transport is a folder beside kafka/ and one line here. */
const DRIVERS: Readonly<Record<TransportName, TransportDriver>> = {
  kafka: kafkaDriver,
  redis: redisDriver,
  bullmq: bullmqDriver,
};

export function driverFor(transport: TransportName): TransportDriver {
  return DRIVERS[transport];
}

/** The drivers in TRANSPORTS order. */
export const drivers: readonly TransportDriver[] = TRANSPORTS.map(driverFor);

/** The env names of everything one run keeps in the brokers and the sink. */
export type IsolatedNames = Record<string, string> & { SINK_NAMESPACE: string };

/**
 * Its own topic, stream, queue, consumer groups and sink namespace for the run `id`, so that
 * runs (scenarios, tests, bench measurements) sharing one infrastructure never see each
 * other's data.
 */
export function isolatedNames(id: string): IsolatedNames {
  return Object.assign({}, ...drivers.map((d) => d.isolatedNames(id)), {
    SINK_NAMESPACE: `sink-${id}`,
  }) as IsolatedNames;
}
