import type { Scenario } from '../harness/scenario.ts';

/** 2% poison: each is retried a bounded number of times, dead-lettered, and never blocks
 * the events behind it. */
export const poisonMessage: Scenario = {
  name: 'poison-message',
  description:
    'Send 2% poison events; all must be dead-lettered, none applied, the rest unaffected.',
  load: { messages: 600, ratePerSec: 50, concurrency: 4, batchSize: 2, poisonFraction: 0.02 },
  // Redis retries an entry once it has idled REDIS_CLAIM_IDLE_MS: at the default 5 s, the
  // last poison's five attempts would outlast the load by half a minute.
  workers: { size: 2, workTimeMs: 5, env: { REDIS_CLAIM_IDLE_MS: '1500' } },
  schedule: [],
  expectations: { deadLettered: { min: 1 } },
  timeouts: { drainSec: 40 },
};
