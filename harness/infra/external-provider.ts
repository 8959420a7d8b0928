import { Toxiproxy } from 'toxiproxy-node-client';
import { Redis } from 'ioredis';
import type { Config } from '../../lib/config.ts';
import type { Infra } from './types.ts';

/**
 * Infrastructure someone else runs (e.g. `docker compose up -d`), described by the same
 * variables the producer and workers read. Nothing is spawned, so nothing can be killed and
 * restarted: broker faults are unavailable, network faults work through TOXIPROXY_URL.
 */
export async function startExternalInfra(config: Config): Promise<Infra> {
  const endpoints = {
    kafka: {
      direct: config.kafka.brokers.join(','),
      producer: config.kafka.producerBrokers.join(','),
      workers: config.kafka.workersBrokers.join(','),
    },
    redis: {
      direct: config.redis.url,
      producer: config.redis.producerUrl,
      workers: config.redis.workersUrl,
    },
    sink: { direct: config.sink.url, workers: config.sink.workersUrl },
    toxiproxy: { url: config.infra.toxiproxyUrl },
  };
  const toxiproxyVersion = (await new Toxiproxy(endpoints.toxiproxy.url).getVersion()).trim();
  const redis = new Redis(endpoints.redis.direct, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisVersion: string;
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
  return {
    provider: 'external',
    topology: 'single',
    endpoints,
    versions: { kafka: 'external', redis: redisVersion, toxiproxy: toxiproxyVersion },
    servers: new Map(),
    pids: () => [],
    stop: () => Promise.resolve(),
  };
}
