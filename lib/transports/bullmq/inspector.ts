import { Queue } from 'bullmq';
import type { Config } from '../../config.ts';
import type { EventEnvelope } from '../../envelope.ts';
import type { LostClass, TransportInspector } from '../driver.ts';
import { createRedisClient, ONE_SHOT } from '../redis-client.ts';
import { redisTarget } from '../redis-target.ts';
import type { DeadLetter } from '../types.ts';
import { bullmqWorkerName } from './identity.ts';
import { bullmqJobId, eventIdFromJobId } from './job-id.ts';

/** Runs `use` on a Queue over a one-shot connection to the broker Redis, closed afterwards. */
async function withQueue<T>(config: Config, use: (queue: Queue) => Promise<T>): Promise<T> {
  // BullMQ's ESM build cannot create ioredis clients itself: hand it one (and close it).
  const connection = createRedisClient(redisTarget(config, 'direct'), 'bullmq-inspector', {
    retryStrategy: ONE_SHOT.retryStrategy,
  });
  const queue = new Queue(config.bullmq.queue, { connection, skipVersionCheck: true });
  try {
    return await use(queue);
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}

const eventIdOf = (job: { id?: string; data: unknown }): string => {
  const data = job.data as Partial<EventEnvelope> | undefined;
  return typeof data?.id === 'string' ? data.id : eventIdFromJobId(String(job.id));
};

/**
 * A job that is missing was never added (or removed after `BULLMQ_KEEP_COMPLETED_S`); one
 * completed, failed, active (locked by a worker that died with it) or started before was
 * delivered; one waiting that never started was not.
 */
async function locate(queue: Queue, ids: readonly string[]): Promise<Map<string, LostClass>> {
  const out = new Map<string, LostClass>();
  for (const id of ids) {
    const job = await queue.getJob(bullmqJobId(id));
    if (!job) {
      out.set(id, 'never-stored');
      continue;
    }
    const state = await job.getState();
    const delivered =
      state === 'completed' || state === 'failed' || state === 'active' || job.attemptsStarted > 0;
    out.set(id, delivered ? 'delivered-unapplied' : 'stored-undelivered');
  }
  return out;
}

/** BullMQ read over the direct endpoint (`REDIS_URL`): job counts, the failed set, active jobs. */
export function inspectBullmq(config: Config): TransportInspector {
  return {
    pending: () =>
      withQueue(config, async (queue) => {
        // Jobs not yet finished.
        const counts = await queue.getJobCounts(
          'waiting',
          'active',
          'delayed',
          'prioritized',
          'waiting-children',
        );
        const pending = Object.values(counts).reduce((a, b) => a + b, 0);
        return { transport: 'bullmq', pending, detail: counts };
      }),
    deadLetters: (options = {}) =>
      withQueue(config, async (queue) => {
        const pageSize = options.pageSize ?? 1000;
        const out: DeadLetter[] = [];
        for (let start = 0; ; start += pageSize) {
          const jobs = await queue.getFailed(start, start + pageSize - 1);
          for (const job of jobs)
            out.push({
              id: eventIdOf(job),
              error: job.failedReason ?? '',
              deliveries: job.attemptsStarted,
            });
          if (jobs.length < pageSize) return out;
        }
      }),
    heldBy: (workerId) =>
      withQueue(config, async (queue) => {
        const active = await queue.getActive(0, 10_000);
        const name = bullmqWorkerName(workerId);
        return active.filter((j) => j.processedBy === name).map(eventIdOf);
      }),
    storedIds: () =>
      withQueue(config, async (queue) => {
        const ids = new Set<string>();
        for (let start = 0; ; start += 1000) {
          const jobs = await queue.getJobs([], start, start + 999, true);
          for (const job of jobs) ids.add(eventIdOf(job));
          if (jobs.length < 1000) return ids;
        }
      }),
    // Workers take jobs as they come: nothing to settle.
    settled: () => Promise.resolve(true),
    removeAll: () => withQueue(config, (queue) => queue.obliterate({ force: true })),
    // Jobs keep their own state and attempts: what workers were seen with is not needed.
    locate: (ids) => withQueue(config, (queue) => locate(queue, ids)),
  };
}
