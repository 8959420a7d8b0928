import type { Scenario } from '../harness/scenario.ts';

/** kill -9 of each broker: acknowledged writes must survive (acks=-1, appendfsync always). */
export const brokerRestart: Scenario = {
  name: 'broker-restart',
  description:
    'kill -9 Kafka, restart it after 5 s; later kill -9 the broker Redis, restart after 4 s.',
  load: { messages: 750, ratePerSec: 30, concurrency: 6, batchSize: 2 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [
    { at: 4, fault: { kind: 'broker-restart', server: 'kafka' }, healAfter: 5 },
    { at: 17, fault: { kind: 'broker-restart', server: 'redis' }, healAfter: 4 },
  ],
  expectations: { producerFailures: { min: 1 } },
  timeouts: { drainSec: 60 },
};
