import type { Scenario } from '../harness/scenario.ts';

/** SIGSTOP the busiest leader past the 3 s fencing: it is fenced and its partitions move;
 * woken, it finds itself a follower and truncates whatever it had alone. */
export const leaderPause: Scenario = {
  name: 'leader-pause',
  description:
    'Cluster: SIGSTOP the leader of the busiest partition for 6 s (fenced after 3 s), then SIGCONT.',
  infra: 'cluster',
  transports: ['kafka'],
  load: { messages: 450, ratePerSec: 30, concurrency: 6, batchSize: 2 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [{ at: 4, fault: { kind: 'pause-leader' }, healAfter: 6 }],
  expectations: { failovers: { min: 1 }, producerFailures: { min: 1 } },
  timeouts: { drainSec: 60 },
};
