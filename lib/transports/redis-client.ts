import { Redis, type RedisOptions } from 'ioredis';
import { createLogger } from '../log.ts';
import { backoffMs } from '../retry.ts';
import type { RedisTarget } from './redis-target.ts';

/** Reconnects back off 100 ms to 1 s, jittered so clients cut together do not return together. */
const RECONNECT_BACKOFF = { baseMs: 100, maxMs: 1000, jitter: 'equal' } as const;

/**
 * An ioredis connection with settings that make faults visible instead of hidden:
 * commands are not queued while disconnected (they fail at once), and reconnects back off
 * up to one second. `maxRetriesPerRequest: null` is what BullMQ requires for its workers.
 */
export function createRedisClient(
  target: RedisTarget,
  connectionName: string,
  overrides: RedisOptions = {},
): Redis {
  const options: RedisOptions = {
    connectionName,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: (attempt) => backoffMs(attempt, RECONNECT_BACKOFF),
    ...overrides,
  };
  const client =
    typeof target === 'string'
      ? new Redis(target, options)
      : new Redis({ ...target.sentinel, ...options });
  // Connection errors surface on commands; without a listener ioredis would also print
  // "Unhandled error event" to stderr on every reconnect attempt.
  const log = createLogger('redis', { connection: connectionName });
  client.on('error', (err: Error) => log.debug({ err: err.message }, 'redis connection error'));
  return client;
}

/**
 * Options that bound every command of a connection, so a link that stays open but never
 * answers fails the caller (retriable: not a ReplyError) instead of stalling it: a command
 * without a reply after `timeoutMs` is rejected, and a connection that received nothing for
 * that long while commands wait is dropped and reconnected (a silent peer). A connection
 * that blocks (XREADGROUP BLOCK) passes its longest block time, which the bound comes on top
 * of, so a read that is merely waiting is never cut.
 */
export function boundedCommands(timeoutMs: number, blockMs = 0): RedisOptions {
  const bound = timeoutMs + blockMs;
  return { commandTimeout: bound, socketTimeout: bound };
}

/**
 * Options for one-shot readers (the harness reading broker state): they give up after a few
 * reconnects, so a dead Redis fails the read instead of hanging it.
 */
export const ONE_SHOT = {
  lazyConnect: true,
  retryStrategy: (attempt: number) => (attempt > 3 ? null : 200),
} satisfies RedisOptions;
