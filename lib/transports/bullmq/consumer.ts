import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import { errorMessage } from '../../errors.ts';
import { failpoint } from '../../failpoints.ts';
import { createLogger, type Logger } from '../../log.ts';
import { createRedisClient } from '../redis-client.ts';
import { redisTarget } from '../redis-target.ts';
import { bullmqWorkerName } from './identity.ts';
import { jobEvent, type JobData } from './jobs.ts';
import {
  classifyFailure,
  decideDelivery,
  deliveryLimits,
  type DeliveryLimits,
} from '../delivery-policy.ts';
import type { BrokerPosition } from '../position.ts';
import type { Consumer, Handler, WorkerConsumerOptions } from '../types.ts';

/**
 * BullMQ blocks a BZPOPMIN for at most 10 s and abandons it 1 s later (its own watchdog); its
 * connections (the blocking one is a copy of ours) get REDIS_COMMAND_TIMEOUT_MS on top.
 */
const BULLMQ_BLOCK_CEILING_MS = 11_000;

/**
 * BullMQ worker.
 *
 * The delivery count is `job.attemptsStarted` (every move to active, stalls included). A job
 * whose worker died keeps its lock for `lockDurationMs`; the stalled checker (every
 * `stalledIntervalMs`, in every live worker) then moves it back to wait, and
 * `maxStalledCount` is high so repeated kills never fail a good job. A failed job is judged
 * by the delivery policy (delivery-policy.ts), whatever `attempts` the producer gave it:
 * - retry: moved to delayed for `afterMs` (a retriable failure, sink down, is retried forever);
 * - dead-letter: failed as unrecoverable, so it moves to the failed set (the dead-letter
 *   place; `failedReason` carries the error).
 */
export function createBullmqConsumer(
  config: Config,
  handler: Handler,
  options: WorkerConsumerOptions,
): Consumer {
  const { bullmq: b, workers: w } = config;
  const name = bullmqWorkerName(options.workerId);
  const log = options.logger ?? createLogger('bullmq-consumer', { workerId: options.workerId });
  const processJob = jobProcessor(handler, deliveryLimits(w), log);
  let connection: Redis | undefined;
  let worker: Worker<JobData> | undefined;
  let drainPromise: Promise<void> | undefined;

  return {
    transport: 'bullmq',

    async start() {
      // BullMQ workers need commands queued across reconnects and retried without limit.
      connection = createRedisClient(redisTarget(config, 'workers'), `${name}-bullmq`, {
        maxRetriesPerRequest: null,
        enableOfflineQueue: true,
        // Bounded above BullMQ's longest block, without socketTimeout: BullMQ resets a
        // blocking connection that overstays itself, and a quiet BZPOPMIN is not a dead link.
        commandTimeout: config.redis.commandTimeoutMs + BULLMQ_BLOCK_CEILING_MS,
      });
      worker = new Worker<JobData>(b.queue, processJob, {
        connection,
        name,
        autorun: false,
        concurrency: w.concurrency,
        lockDuration: b.lockDurationMs,
        stalledInterval: b.stalledIntervalMs,
        maxStalledCount: b.maxStalledCount,
        // FAILPOINT no-stalled-recovery: nobody moves a killed worker's active jobs back to wait.
        skipStalledCheck: failpoint('no-stalled-recovery'),
        // Short long-poll so a drain is not held up by an idle blocking read.
        drainDelay: 1,
      });
      watchWorker(worker, log);
      await worker.waitUntilReady();
      worker
        .run()
        .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'bullmq worker stopped'));
      log.info({ queue: b.queue }, 'bullmq consumer running');
    },

    drain() {
      drainPromise ??= (async () => {
        // close() stops fetching and waits for the active jobs to complete (and be acked).
        await worker?.close();
        await connection?.quit().catch(() => {});
        log.info('bullmq consumer drained');
      })();
      return drainPromise;
    },
  };
}

/** Logs the worker's errors and its dead letters (jobs failed for good). */
function watchWorker(worker: Worker<JobData>, log: Logger): void {
  worker.on('error', (err) => log.warn({ err: errorMessage(err) }, 'bullmq worker error'));
  worker.on('failed', (job, err) => {
    if (job && job.finishedOn !== undefined) {
      log.warn(
        { jobId: job.id, attempts: job.attemptsStarted, err: errorMessage(err) },
        'dead-lettered',
      );
    }
  });
}

/** A job's place in the queue: the time the producer added it (one queue: one shard). */
export function jobPosition(job: Job<JobData>): BrokerPosition {
  return { shard: '', at: [job.timestamp, 0] };
}

/** The BullMQ processor: the handler once per job, failures judged by the delivery policy. */
function jobProcessor(
  handler: Handler,
  limits: DeliveryLimits,
  log: Logger,
): (job: Job<JobData>, token?: string) => Promise<void> {
  return async (job, token) => {
    const deliveryCount = Math.max(1, job.attemptsStarted);
    const { event, trace } = jobEvent(job.data);
    const delivery = {
      event,
      deliveryCount,
      position: jobPosition(job),
      ...(trace ? { trace } : {}),
    };
    try {
      // FAILPOINT ack-before-effect: the job completes while its sink write still runs detached.
      if (failpoint('ack-before-effect')) return void handler(delivery).catch(() => undefined);
      await handler(delivery);
      return;
    } catch (err) {
      const failure = classifyFailure(err);
      const decision = decideDelivery({ failure, deliveries: deliveryCount }, limits);
      if (decision.action === 'dead-letter') {
        // FAILPOINT drop-dead-letters: the last attempt completes instead of failing (no failed-set entry).
        if (failpoint('drop-dead-letters')) return;
        throw new UnrecoverableError(errorMessage(err));
      }
      // Without a token the job cannot be moved; BullMQ's own retry (its `attempts`) applies.
      if (token === undefined) throw err;
      log.debug(
        { jobId: job.id, failure, deliveryCount, err: errorMessage(err) },
        'delivery failed; retrying',
      );
      await job.moveToDelayed(Date.now() + decision.afterMs, token);
      throw new DelayedError();
    }
  };
}
