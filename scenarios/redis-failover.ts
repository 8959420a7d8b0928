import type { Scenario } from '../harness/scenario.ts';

/**
 * kill -9 the broker Redis primary under load, half a second after its replication stream
 * stopped reaching the replica (as when its host dies with bytes in flight): Sentinel
 * promotes the replica, which holds every write the producer acknowledged, because it
 * WAITed for the replica (the `redis-no-wait` failpoint does not, and loses the tail). The
 * pools start after the failover, so that tail is still unread when the primary dies.
 * With two nodes and min-replicas-to-write 1 the new primary takes writes only once the old
 * one is back as its replica (heal at 9 s, about 10 s more for Sentinel to demote it).
 */
export const redisFailover: Scenario = {
  name: 'redis-failover',
  description:
    'Cluster: kill -9 the Redis primary, its replication stream cut 0.5 s before; Sentinel fails over; restart after 5 s.',
  infra: 'cluster',
  transports: ['redis', 'bullmq'],
  load: { messages: 300, ratePerSec: 15, concurrency: 4, batchSize: 1 },
  workers: { size: 2, workTimeMs: 5, startAfterSec: 7 },
  schedule: [
    // The last half second of the primary's replication stream never reaches the replica.
    { at: 3.5, fault: { kind: 'replication-lag', broker: 'redis', drop: true }, healAfter: 1.5 },
    { at: 4, fault: { kind: 'kill-redis-primary' }, healAfter: 5 },
  ],
  // Sentinel switched primaries, and the producer saw the primary go.
  expectations: { failovers: { min: 1 }, producerFailures: { min: 1 } },
  timeouts: { drainSec: 60 },
};
