import { Redis, type RedisOptions } from 'ioredis';
import { createLogger } from '../log.ts';
import { backoffMs } from '../retry.ts';

/** Reconnects back off 100 ms to 1 s, jittered so clients cut together do not return together. */
const RECONNECT_BACKOFF = { baseMs: 100, maxMs: 1000, jitter: 'equal' } as const;

/**
 * An ioredis connection with settings that make faults visible instead of hidden:
 * commands are not queued while disconnected (they fail at once), and reconnects back off
 * up to one second. `maxRetriesPerRequest: null` is what BullMQ requires for its workers.
 */
export function createRedisClient(
  url: string,
  connectionName: string,
  overrides: RedisOptions = {},
): Redis {
  const client = new Redis(url, {
    connectionName,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: (attempt) => backoffMs(attempt, RECONNECT_BACKOFF),
    ...overrides,
  });
  // Connection errors surface on commands; without a listener ioredis would also print
  // "Unhandled error event" to stderr on every reconnect attempt.
  const log = createLogger('redis', { connection: connectionName });
  client.on('error', (err: Error) => log.debug({ err: err.message }, 'redis connection error'));
  return client;
}

/**
 * Options for one-shot readers (the harness reading broker state): they give up after a few
 * reconnects, so a dead Redis fails the read instead of hanging it.
 */
export const ONE_SHOT = {
  lazyConnect: true,
  retryStrategy: (attempt: number) => (attempt > 3 ? null : 200),
} satisfies RedisOptions;
