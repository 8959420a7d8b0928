import { Queue } from 'bullmq';
import { ReplyError } from 'ioredis';
import type { Config } from '../../config.ts';
import { IndeterminateError, NotSentError } from '../../errors.ts';
import { createLogger, type Logger } from '../../log.ts';
import { bullmqJobs } from './jobs.ts';
import { createRedisClient } from '../redis-client.ts';
import { redisTarget } from '../redis-target.ts';
import { createRedisPublisherShell, type OutgoingEvent } from '../redis-publisher-shell.ts';
import type { Publisher } from '../types.ts';

export interface BullmqPublisherOptions {
  logger?: Logger;
}

/**
 * Adds one BullMQ job per event with `Queue.addBulk`: name = event type, data = envelope,
 * jobId = the event id (see `bullmqJobId`), so a repeated id stays one job. Concurrent
 * publishes are gathered into one `addBulk` (one pipeline, one round trip): building
 * BullMQ's script pipeline per request was its hottest spot.
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
  const { keepCompletedS } = config.bullmq;
  const connection = createRedisClient(redisTarget(config, 'producer'), 'producer-bullmq');
  const queue = new Queue(config.bullmq.queue, { connection, skipVersionCheck: true });
  queue.on('error', (err: Error) => logger.debug({ err }, 'bullmq queue error'));

  const addJobs = async (items: OutgoingEvent[]) => {
    const events = items.map((item) => item.event);
    try {
      await queue.addBulk(
        bullmqJobs(
          events,
          keepCompletedS,
          items.map((item) => item.trace),
        ),
      );
    } catch (err) {
      // addBulk reports only the first failed job; a refusal is definite for a single job.
      if (events.length === 1 && err instanceof ReplyError) {
        throw new NotSentError('redis refused the job', { cause: err });
      }
      throw new IndeterminateError('adding jobs failed after they were sent', { cause: err });
    }
  };

  return createRedisPublisherShell({
    transport: 'bullmq',
    config,
    logger,
    client: connection,
    flush: addJobs,
    closeExtra: () => queue.close(),
  });
}
