import type { Scenario } from '../harness/scenario.ts';

/** The original demo: events are accepted while no consumer has ever run; when the pools
 * start, their new consumer groups must begin at the start of the log, not at its end. */
export const lateConsumers: Scenario = {
  name: 'late-consumers',
  description: 'Publish for 6 s before any worker pool exists, then start them: all must drain.',
  load: { messages: 480, ratePerSec: 40, concurrency: 4, batchSize: 2 },
  workers: { size: 2, workTimeMs: 5, startAfterSec: 6 },
  schedule: [],
  // Events waited for consumers that did not exist yet: proof the backlog was real.
  expectations: { latencyP99Ms: { min: 3000 } },
};
