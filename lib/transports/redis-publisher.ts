import { ReplyError, type Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { EventEnvelope } from '../envelope.ts';
import { IndeterminateError, NotSentError } from '../errors.ts';
import { failpoint } from '../failpoints.ts';
import { createHealthMonitor } from '../health-monitor.ts';
import { createLogger, type Logger } from '../log.ts';
import { createMicroBatcher } from '../micro-batcher.ts';
import { withTimeout } from '../with-timeout.ts';
import { createRedisClient } from './redis-client.ts';
import { addStreamEntry } from './redis-stream-entry.ts';
import type { Publisher } from './types.ts';

export interface RedisPublisherOptions {
  logger?: Logger;
  /** Use this connection instead of one to `config.redis.producerUrl`; it is closed on close. */
  client?: Redis;
}

/**
 * Publishes to a Redis stream: one `XADD <stream> * id <id> type <type> envelope <json>`
 * per event, a batch sent as one pipeline. Never trims (no MAXLEN): entries leave the
 * stream only after the workers acknowledged them.
 *
 * Concurrent publishes are gathered for `lingerMs` into one pipeline, so they share one
 * round trip and one `appendfsync always` fsync (ioredis does not pipeline across calls).
 */
export function createRedisPublisher(
  config: Config,
  options: RedisPublisherOptions = {},
): Publisher {
  const logger = options.logger ?? createLogger('redis-publisher');
  const { ackTimeoutMs, healthIntervalMs } = config.producer;
  const stream = config.redis.stream;
  const client = options.client ?? createRedisClient(config.redis.producerUrl, 'producer-redis');
  // ioredis logs to stderr on unhandled 'error'; the health monitor reports state changes.
  client.on('error', (err: Error) => logger.debug({ err }, 'redis connection error'));

  const resetConnection = () => {
    // A command that got no reply leaves the reply stream in doubt: start a new connection
    // so a late reply can never be matched to a later command.
    if (client.status === 'ready' || client.status === 'connect') client.disconnect(true);
  };

  const health = createHealthMonitor({
    intervalMs: healthIntervalMs,
    timeoutMs: Math.min(ackTimeoutMs, 2000),
    check: async () => {
      if (client.status !== 'ready') throw new NotSentError(`redis is ${client.status}`);
      await client.ping();
    },
    onCheckFailed: resetConnection,
    onChange: (ready, err) =>
      ready ? logger.info('redis ready') : logger.warn({ err }, 'redis unreachable'),
  });
  client.on('ready', () => void health.checkNow());

  const xaddAll = async (events: EventEnvelope[]) => {
    const pipeline = client.pipeline();
    for (const event of events) {
      addStreamEntry(pipeline, stream, event);
      // FAILPOINT trim-stream: cap the stream (as XADD MAXLEN 50), trimming unacked entries.
      if (failpoint('trim-stream')) pipeline.xtrim(stream, 'MAXLEN', 50);
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await withTimeout(
        pipeline.exec(),
        ackTimeoutMs,
        () => new IndeterminateError(`no XADD reply within ${ackTimeoutMs} ms`),
      );
    } catch (err) {
      if (err instanceof IndeterminateError) {
        resetConnection();
        throw err;
      }
      // The pipeline was handed to a connection that was up: it may have been written.
      throw new IndeterminateError('redis connection failed during XADD', { cause: err });
    }
    const errors = (results ?? []).map(([err]) => err).filter((e) => e !== null);
    if (errors.length === 0) return;
    // A reply error means Redis refused that XADD; only when all were refused is it definite.
    const allRefused =
      errors.length === events.length && errors.every((e) => e instanceof ReplyError);
    if (allRefused) throw new NotSentError('redis refused XADD', { cause: errors[0] });
    throw new IndeterminateError(`${errors.length} of ${events.length} XADDs failed`, {
      cause: errors[0],
    });
  };

  const batcher = createMicroBatcher<EventEnvelope>({
    lingerMs: config.producer.lingerMs,
    maxItems: Math.max(config.producer.maxBatch, 1000),
    flush: xaddAll,
  });

  let closing: Promise<void> | undefined;

  return {
    transport: 'redis',
    isReady: () => client.status === 'ready' && health.isReady(),

    publish(events: readonly EventEnvelope[]) {
      if (events.length === 0) return Promise.resolve();
      if (closing) return Promise.reject(new NotSentError('publisher is closed'));
      if (client.status !== 'ready') {
        health.markDown();
        return Promise.reject(new NotSentError(`redis not connected (${client.status})`));
      }
      return batcher.add(events);
    },

    close() {
      closing ??= (async () => {
        health.stop();
        await batcher.drain();
        try {
          // QUIT waits for replies to everything already written.
          if (client.status === 'ready')
            await withTimeout(client.quit(), ackTimeoutMs, () => new Error('quit timed out'));
        } catch (err) {
          logger.warn({ err }, 'redis quit failed');
        } finally {
          client.disconnect();
        }
      })();
      return closing;
    },
  };
}
