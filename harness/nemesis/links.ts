import type { TransportName } from '../../lib/envelope.ts';
import type { ProxyName } from '../infra/types.ts';
import type { ProxyTarget } from './proxy-target.ts';

/**
 * Expands a role to the links its transports use (BullMQ rides on the broker Redis).
 * The only place the nemeses know transport names: it goes once the drivers declare
 * their links.
 */
export function proxiesFor(target: ProxyTarget, transports: readonly TransportName[]): ProxyName[] {
  const usesKafka = transports.includes('kafka');
  const usesRedis = transports.includes('redis') || transports.includes('bullmq');
  const pick = (kafka: ProxyName, redis: ProxyName) => [
    ...(usesKafka ? [kafka] : []),
    ...(usesRedis ? [redis] : []),
  ];
  switch (target) {
    case 'producer':
      return pick('kafka-producer', 'redis-producer');
    case 'workers':
      return pick('kafka-workers', 'redis-workers');
    case 'sink':
      return ['sink-workers'];
    default:
      return [target];
  }
}
