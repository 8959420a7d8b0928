import type { Scenario } from '../harness/scenario.ts';

/** Producer cut off from the brokers: it must answer 503/504, never a false 202. */
export const partitionProducer: Scenario = {
  name: 'partition-producer',
  description:
    'Disable the producer-to-broker links for 6 s; requests fail definitely or indeterminately.',
  load: { messages: 525, ratePerSec: 35, concurrency: 6, batchSize: 2 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [{ at: 5, fault: { kind: 'proxy-down', proxy: 'producer' }, healAfter: 6 }],
  expectations: { producerFailures: { min: 1 } },
};
