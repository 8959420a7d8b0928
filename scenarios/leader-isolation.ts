import type { Scenario } from '../harness/scenario.ts';

/** Cut the busiest leader off from clients and peers for 8 s: the others fence it and
 * elect new leaders; alone it cannot reach min.insync.replicas, so it acknowledges nothing. */
export const leaderIsolation: Scenario = {
  name: 'leader-isolation',
  description:
    'Cluster: isolate the leader of the busiest partition (every proxy of its node) for 8 s.',
  infra: 'cluster',
  transports: ['kafka'],
  load: { messages: 450, ratePerSec: 30, concurrency: 6, batchSize: 2 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [{ at: 4, fault: { kind: 'isolate-node' }, healAfter: 8 }],
  expectations: { failovers: { min: 1 }, producerFailures: { min: 1 } },
  timeouts: { drainSec: 60 },
};
