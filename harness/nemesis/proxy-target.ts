import { PROXIES, type ProxyName } from '../infra/types.ts';
import { specChecks } from './spec-checks.ts';

/** A proxy by name, or a role the runner expands to the links of the scenario's transports:
 * `producer` -> kafka-producer/redis-producer, `workers` -> kafka-workers/redis-workers,
 * `sink` -> sink-workers. */
export type ProxyTarget = ProxyName | 'producer' | 'workers' | 'sink';

const PROXY_TARGETS: readonly string[] = [...PROXIES, 'producer', 'workers', 'sink'];

/** Problems with a `proxy` field (proxy-down, toxic). */
export function checkProxyTarget(value: unknown, path: string): string[] {
  return specChecks.oneOf(value, PROXY_TARGETS, path, 'proxy');
}
