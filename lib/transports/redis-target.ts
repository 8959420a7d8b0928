import type { RedisOptions } from 'ioredis';
import type { Config } from '../config.ts';

/** Which connection of the broker Redis: the harness's own, the producer's or the workers'. */
export type RedisRole = 'direct' | 'producer' | 'workers';

/** A URL, or Sentinel-discovered primary (ioredis `sentinels` + `name` + `natMap`). */
export type RedisTarget = string | { sentinel: RedisOptions };

const hostPort = (address: string) => {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
};

/**
 * Where a role reaches the broker Redis. With REDIS_SENTINELS the client asks Sentinel for
 * the primary on every (re)connect and so follows a failover without a restart; the natMap
 * turns the address Sentinel reports into the role's own proxy to that node.
 */
export function redisTarget(config: Config, role: RedisRole): RedisTarget {
  const r = config.redis;
  if (r.sentinels.length === 0)
    return { direct: r.url, producer: r.producerUrl, workers: r.workersUrl }[role];
  const map = { direct: r.natMap, producer: r.producerNatMap, workers: r.workersNatMap }[role];
  return {
    sentinel: {
      sentinels: r.sentinels.map(hostPort),
      name: r.sentinelName,
      natMap: Object.fromEntries(Object.entries(map).map(([from, to]) => [from, hostPort(to)])),
      // Reconnect at once when Sentinel announces a new primary, not at the next failure.
      failoverDetector: true,
      sentinelRetryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
    },
  };
}
