import type { Scenario } from '../harness/scenario.ts';

/** Consumers slower than producers: a growing backlog must neither time out locks and
 * sessions into duplicates nor lose anything. Capacity ~20/s against 40/s offered. */
export const slowConsumer: Scenario = {
  name: 'slow-consumer',
  description: 'One worker per pool with 200 ms of work and concurrency 4 against 40 events/s.',
  load: { messages: 400, ratePerSec: 40, concurrency: 4, batchSize: 2 },
  workers: { size: 1, workTimeMs: 200, env: { WORKER_CONCURRENCY: '4' } },
  schedule: [],
  expectations: { latencyP99Ms: { min: 2000 } },
  timeouts: { drainSec: 60 },
};
