import type { Scenario } from '../harness/scenario.ts';

/**
 * kill -9 the broker Redis primary under load while its replication stream lags: Sentinel
 * promotes the replica, which holds every write the producer acknowledged, because it
 * WAITed for the replica (the `redis-no-wait` failpoint does not, and loses the tail). The
 * pools start after the failover, so that tail is still unread when the primary dies.
 * With two nodes and min-replicas-to-write 1 the new primary takes writes only once the old
 * one is back as its replica (heal at 9 s, about 10 s more for Sentinel to demote it).
 */
export const redisFailover: Scenario = {
  name: 'redis-failover',
  description:
    'Cluster: kill -9 the Redis primary (replication lagging 200 ms); Sentinel fails over; restart it after 5 s.',
  infra: 'cluster',
  transports: ['redis', 'bullmq'],
  load: { messages: 300, ratePerSec: 15, concurrency: 4, batchSize: 1 },
  workers: { size: 2, workTimeMs: 5, startAfterSec: 7 },
  schedule: [
    { at: 1, fault: { kind: 'replication-lag', broker: 'redis', latencyMs: 200 }, healAfter: 4 },
    { at: 4, fault: { kind: 'kill-redis-primary' }, healAfter: 5 },
  ],
  // Sentinel switched primaries, and the producer saw the primary go.
  expectations: { failovers: { min: 1 }, producerFailures: { min: 1 } },
  timeouts: { drainSec: 60 },
};
