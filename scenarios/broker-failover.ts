import type { Scenario } from '../harness/scenario.ts';

/**
 * kill -9 the leader of the busiest partition under load, with the followers' fetches
 * lagging: acks=-1 waits for the ISR, so every acknowledged write is on a follower that
 * can take over (the `acks-leader` failpoint acknowledges on the leader alone and loses).
 */
export const brokerFailover: Scenario = {
  name: 'broker-failover',
  description:
    'Cluster: kill -9 the leader of the busiest partition, restart it after 6 s; follower fetches lag 500 ms.',
  infra: 'cluster',
  transports: ['kafka'],
  load: { messages: 450, ratePerSec: 30, concurrency: 6, batchSize: 2 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [
    { at: 2, fault: { kind: 'replication-lag', broker: 'kafka', latencyMs: 500 }, healAfter: 9 },
    { at: 5, fault: { kind: 'kill-leader' }, healAfter: 6 },
  ],
  // Leadership moved off the killed node, and the producer saw the dead leader.
  expectations: { failovers: { min: 1 }, producerFailures: { min: 1 } },
  timeouts: { drainSec: 60 },
};
