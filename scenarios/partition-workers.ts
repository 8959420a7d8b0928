import type { Scenario } from '../harness/scenario.ts';

/** Workers cut off from the brokers: consumption stops, nothing is acked twice or lost. */
export const partitionWorkers: Scenario = {
  name: 'partition-workers',
  description: 'Disable the workers-to-broker links for 8 s; consumers reconnect and resume.',
  load: { messages: 680, ratePerSec: 40, concurrency: 4, batchSize: 2 },
  workers: { size: 2, workTimeMs: 10 },
  schedule: [{ at: 5, fault: { kind: 'proxy-down', proxy: 'workers' }, healAfter: 8 }],
  expectations: { consumerStallMs: { min: 4000 } },
  timeouts: { drainSec: 40 },
};
