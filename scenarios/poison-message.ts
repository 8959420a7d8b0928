import type { Scenario } from '../harness/scenario.ts';

/** 2% poison: each is retried a bounded number of times, dead-lettered, and never blocks
 * the events behind it. */
export const poisonMessage: Scenario = {
  name: 'poison-message',
  description:
    'Send 2% poison events; all must be dead-lettered, none applied, the rest unaffected.',
  load: { messages: 600, ratePerSec: 30, concurrency: 4, batchSize: 2, poisonFraction: 0.02 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [],
  expectations: { deadLettered: { min: 1 } },
  timeouts: { drainSec: 40 },
};
