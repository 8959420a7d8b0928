import { ReplyError, type Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import { IndeterminateError, NotSentError } from '../../errors.ts';
import { failpoint } from '../../failpoints.ts';
import { createLogger, type Logger } from '../../log.ts';
import { createRedisClient } from '../redis-client.ts';
import { redisTarget } from '../redis-target.ts';
import { createRedisPublisherShell, type OutgoingEvent } from '../redis-publisher-shell.ts';
import { addStreamEntry } from './stream-entry.ts';
import type { Publisher } from '../types.ts';

export interface RedisPublisherOptions {
  logger?: Logger;
  /** Use this connection instead of one to `config.redis.producerUrl`; it is closed on close. */
  client?: Redis;
}

/**
 * Publishes to a Redis stream: one `XADD <stream> * id <id> type <type> envelope <json>`
 * per event (then `traceparent <value>` with tracing on), a batch sent as one pipeline. Never trims (no MAXLEN): entries leave the
 * stream only after the workers acknowledged them.
 *
 * Concurrent publishes are gathered into one pipeline (see `createRedisPublisherShell`), so
 * they share one round trip and one `appendfsync always` fsync (ioredis does not pipeline
 * across calls).
 */
export function createRedisPublisher(
  config: Config,
  options: RedisPublisherOptions = {},
): Publisher {
  const stream = config.redis.stream;
  const client =
    options.client ?? createRedisClient(redisTarget(config, 'producer'), 'producer-redis');

  const xaddAll = async (items: OutgoingEvent[]) => {
    const pipeline = client.pipeline();
    for (const { event, trace } of items) {
      addStreamEntry(pipeline, stream, event, trace);
      // FAILPOINT trim-stream: cap the stream (as XADD MAXLEN 50), trimming unacked entries.
      if (failpoint('trim-stream')) pipeline.xtrim(stream, 'MAXLEN', 50);
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      // The pipeline was handed to a connection that was up: it may have been written.
      throw new IndeterminateError('redis connection failed during XADD', { cause: err });
    }
    const errors = (results ?? []).map(([err]) => err).filter((e) => e !== null);
    if (errors.length === 0) return;
    // A reply error means Redis refused that XADD; only when all were refused is it definite.
    const allRefused =
      errors.length === items.length && errors.every((e) => e instanceof ReplyError);
    if (allRefused) throw new NotSentError('redis refused XADD', { cause: errors[0] });
    throw new IndeterminateError(`${errors.length} of ${items.length} XADDs failed`, {
      cause: errors[0],
    });
  };

  return createRedisPublisherShell({
    transport: 'redis',
    config,
    logger: options.logger ?? createLogger('redis-publisher'),
    client,
    flush: xaddAll,
  });
}
