import { Redis, type RedisOptions } from 'ioredis';

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
  return new Redis(url, {
    connectionName,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
    ...overrides,
  });
}
