import type { Scenario } from '../harness/scenario.ts';

/** Every consumer gone for 8 s: the brokers must hold the backlog and hand it over intact. */
export const consumerOutage: Scenario = {
  name: 'consumer-outage',
  description: 'Kill whole worker pools for 8 s while load continues, then start them again.',
  load: { messages: 680, ratePerSec: 40, concurrency: 4, batchSize: 2 },
  workers: { size: 2, workTimeMs: 10 },
  schedule: [{ at: 5, fault: { kind: 'kill-pool' }, healAfter: 8 }],
  expectations: { kills: { min: 1 }, consumerStallMs: { min: 5000 } },
};
