import { loadConfig, type Config } from '../lib/config.ts';
import { isolatedNames, type IsolatedNames } from '../lib/transports/registry.ts';
import { endpointsToEnv, type Endpoints } from '../harness/infra/index.ts';
import { runTag } from './events.ts';

export type Env = Record<string, string>;

/** Names of their own for one measurement, so no two (or a concurrent test run) share state. */
export function runNames(prefix: string): IsolatedNames {
  return isolatedNames(`bench-${runTag(prefix)}`);
}

/**
 * The endpoint variables with every role pointed at the DIRECT (unproxied) listeners:
 * Toxiproxy's extra hop is not what the benchmark measures.
 */
export function directEnv(endpoints: Endpoints): Env {
  const e = endpoints;
  return {
    ...endpointsToEnv(e),
    KAFKA_PRODUCER_BROKERS: e.kafka.direct,
    KAFKA_WORKERS_BROKERS: e.kafka.direct,
    REDIS_PRODUCER_URL: e.redis.direct,
    REDIS_WORKERS_URL: e.redis.direct,
    SINK_WORKERS_URL: e.sink.direct,
    // Per-request log lines would be measured too.
    LOG_LEVEL: 'warn',
    // Whatever the calling shell has set: no test-only faults, no simulated work.
    FAILPOINTS: '',
    WORK_TIME_MS: '0',
  };
}

/** The config a child started with `env` sees, for the bench's own raw clients. */
export function configFor(env: Env): Config {
  return loadConfig(env);
}
