import { hostname } from 'node:os';

/** Stable per slot: a respawned worker takes over its predecessor's pending entries. */
export function redisConsumerName(workerId: string, host = hostname()): string {
  return `${host}-w${workerId}`;
}
