import type { Scenario } from '../harness/scenario.ts';

/**
 * Cut the Redis primary off from its clients, its replica and the Sentinels for 6 s: the
 * Sentinels promote the replica, the cut-off primary refuses writes once its replica is
 * silent (min-replicas-max-lag 3 s), and on heal Sentinel demotes it. The promoted primary
 * alone refuses writes too (min-replicas-to-write 1) until then, and Sentinel converts the
 * old primary only about 10 s after it is reachable again (measured: -sdown 04:31:26.2,
 * +convert-to-slave 04:31:36.2): the load runs 30 s so that the recovery falls inside it.
 */
export const redisPrimaryIsolation: Scenario = {
  name: 'redis-primary-isolation',
  description: 'Cluster: isolate the Redis primary from clients, replica and Sentinels for 6 s.',
  infra: 'cluster',
  transports: ['redis', 'bullmq'],
  load: { messages: 300, ratePerSec: 15, concurrency: 4, batchSize: 1 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [{ at: 4, fault: { kind: 'isolate-redis-primary' }, healAfter: 6 }],
  expectations: { failovers: { min: 1 }, producerFailures: { min: 1 } },
  timeouts: { drainSec: 60 },
};
