import type { Scenario } from '../harness/scenario.ts';

/** The database is away: workers must not ack what they could not apply, nor dead-letter
 * good events, and resume once it is back. */
export const sinkOutage: Scenario = {
  name: 'sink-outage',
  description:
    'Make the sink unreachable for the workers for 8 s; events wait, none is dead-lettered.',
  load: { messages: 680, ratePerSec: 40, concurrency: 4, batchSize: 2 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [{ at: 5, fault: { kind: 'sink-outage' }, healAfter: 8 }],
  expectations: { consumerStallMs: { min: 4000 }, deadLettered: { max: 0 } },
  timeouts: { drainSec: 40 },
};
