import { ReplyError } from 'ioredis';
import { AppError, errorMessage } from './errors.ts';
import { redisErrorCode } from './transports/redis-error-code.ts';

/**
 * Reply codes that describe the server, not the event: it cannot persist (MISCONF: a failing
 * RDB or AOF write, a full disk), is loading, busy, full, read-only, without its master or
 * replicas, its cluster is down or moving, or it refuses our credentials. The same write
 * succeeds once the server is fixed, so they never count against the event.
 */
const SERVER_STATE_REPLIES: ReadonlySet<string> = new Set([
  'MISCONF',
  'LOADING',
  'BUSY',
  'TRYAGAIN',
  'MASTERDOWN',
  'NOMASTERLINK',
  'READONLY',
  'OOM',
  'NOREPLICAS',
  'CLUSTERDOWN',
  'MOVED',
  'ASK',
  'NOAUTH',
  'WRONGPASS',
  'NOPERM',
]);

/** True for a Redis reply that is about the server's state (see SERVER_STATE_REPLIES). */
export function isServerStateReply(err: unknown): boolean {
  return SERVER_STATE_REPLIES.has(redisErrorCode(err) ?? '');
}

/** The sink could not be written or read; the same call may succeed later. */
export class SinkUnavailableError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('SINK_UNAVAILABLE', message, { retriable: true, ...options });
  }
}

/**
 * Runs one sink call and says what its failure means. Redis rejected this write itself
 * (WRONGTYPE, a script error): trying again will not help and must not block the event
 * forever, so it counts against its attempts. A reply about the server's state (MISCONF,
 * LOADING, ...), a timeout or a lost connection says nothing about the event and stays
 * retriable.
 */
export async function sinkCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ReplyError && !isServerStateReply(err)) {
      throw new AppError('SINK_REJECTED', `sink ${what} rejected: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    throw new SinkUnavailableError(`sink ${what} failed: ${errorMessage(err)}`, { cause: err });
  }
}
