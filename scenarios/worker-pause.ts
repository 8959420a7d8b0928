import type { Scenario } from '../harness/scenario.ts';

/** SIGSTOP for 10 s, past the Kafka session timeout (6 s), the Redis claim idle time (5 s)
 * and the BullMQ lock (5 s): the paused worker's events move to others; after SIGCONT it
 * must not apply them a second time. */
export const workerPause: Scenario = {
  name: 'worker-pause',
  description:
    'SIGSTOP one worker per pool for 10 s (past session timeout / claim idle / lock), then SIGCONT.',
  load: { messages: 720, ratePerSec: 40, concurrency: 4, batchSize: 2 },
  workers: { size: 2, workTimeMs: 300 },
  schedule: [{ at: 4, fault: { kind: 'pause-worker' }, healAfter: 10 }],
  expectations: { redeliveries: { min: 1 } },
  timeouts: { drainSec: 40 },
};
