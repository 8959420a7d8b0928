import { Queue } from 'bullmq';
import { ReplyError } from 'ioredis';
import type { Config } from '../config.ts';
import type { EventEnvelope } from '../envelope.ts';
import { IndeterminateError, NotSentError } from '../errors.ts';
import { createHealthMonitor } from '../health-monitor.ts';
import { createLogger, type Logger } from '../log.ts';
import { createMicroBatcher } from '../micro-batcher.ts';
import { withTimeout } from '../with-timeout.ts';
import { bullmqJobId } from './bullmq-job-id.ts';
import { createRedisClient } from './redis-client.ts';
import type { Publisher } from './types.ts';

export interface BullmqPublisherOptions {
  logger?: Logger;
}

/**
 * Adds one BullMQ job per event with `Queue.addBulk`: name = event type, data = envelope,
 * jobId = the event id (see `bullmqJobId`), so a repeated id stays one job. Concurrent
 * publishes are gathered for `lingerMs` into one `addBulk` (one pipeline, one round trip):
 * building BullMQ's script pipeline per request was its hottest spot.
 *
 * The Queue gets its own ioredis connection, passed as an instance: BullMQ then treats it
 * as shared (we close it), and its native-ESM build cannot create ioredis clients itself.
 * The connection fails fast while disconnected (no offline queue), which a Queue (not a
 * blocking Worker) allows. `skipVersionCheck` keeps the Queue's one-time init free of
 * commands that could fail it for good while Redis is down.
 */
export function createBullmqPublisher(
  config: Config,
  options: BullmqPublisherOptions = {},
): Publisher {
  const logger = options.logger ?? createLogger('bullmq-publisher');
  const { ackTimeoutMs, healthIntervalMs } = config.producer;
  const { keepCompletedS } = config.bullmq;
  const connection = createRedisClient(config.redis.producerUrl, 'producer-bullmq');
  connection.on('error', (err: Error) => logger.debug({ err }, 'bullmq connection error'));
  const queue = new Queue(config.bullmq.queue, { connection, skipVersionCheck: true });
  queue.on('error', (err: Error) => logger.debug({ err }, 'bullmq queue error'));

  const resetConnection = () => {
    // No reply in time: drop the connection so a late reply cannot answer a later command.
    if (connection.status === 'ready' || connection.status === 'connect')
      connection.disconnect(true);
  };

  const health = createHealthMonitor({
    intervalMs: healthIntervalMs,
    timeoutMs: Math.min(ackTimeoutMs, 2000),
    check: async () => {
      if (connection.status !== 'ready') throw new NotSentError(`redis is ${connection.status}`);
      await connection.ping();
    },
    onCheckFailed: resetConnection,
    onChange: (ready, err) =>
      ready ? logger.info('bullmq ready') : logger.warn({ err }, 'bullmq redis unreachable'),
  });
  connection.on('ready', () => void health.checkNow());

  const addJobs = async (events: EventEnvelope[]) => {
    const jobs = events.map((event) => ({
      name: event.type,
      data: event,
      // Kept for a while so a repeated id stays one job; removed so the broker stays bounded.
      opts: { jobId: bullmqJobId(event.id), removeOnComplete: { age: keepCompletedS } },
    }));
    try {
      await withTimeout(
        queue.addBulk(jobs),
        ackTimeoutMs,
        () => new IndeterminateError(`no reply to addBulk within ${ackTimeoutMs} ms`),
      );
    } catch (err) {
      if (err instanceof IndeterminateError) {
        resetConnection();
        throw err;
      }
      // addBulk reports only the first failed job; a refusal is definite for a single job.
      if (events.length === 1 && err instanceof ReplyError) {
        throw new NotSentError('redis refused the job', { cause: err });
      }
      throw new IndeterminateError('adding jobs failed after they were sent', { cause: err });
    }
  };

  const batcher = createMicroBatcher<EventEnvelope>({
    lingerMs: config.producer.lingerMs,
    maxItems: Math.max(config.producer.maxBatch, 1000),
    flush: addJobs,
  });

  let closing: Promise<void> | undefined;

  return {
    transport: 'bullmq',
    isReady: () => connection.status === 'ready' && health.isReady(),

    publish(events: readonly EventEnvelope[]) {
      if (events.length === 0) return Promise.resolve();
      if (closing) return Promise.reject(new NotSentError('publisher is closed'));
      if (connection.status !== 'ready') {
        health.markDown();
        return Promise.reject(new NotSentError(`redis not connected (${connection.status})`));
      }
      return batcher.add(events);
    },

    close() {
      closing ??= (async () => {
        health.stop();
        await batcher.drain();
        try {
          await withTimeout(queue.close(), ackTimeoutMs, () => new Error('queue close timed out'));
          if (connection.status === 'ready') {
            await withTimeout(connection.quit(), ackTimeoutMs, () => new Error('quit timed out'));
          }
        } catch (err) {
          logger.warn({ err }, 'bullmq close failed');
        } finally {
          connection.disconnect();
        }
      })();
      return closing;
    },
  };
}
