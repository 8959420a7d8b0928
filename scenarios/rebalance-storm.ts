import type { Scenario } from '../harness/scenario.ts';

/** Membership churn: scale up, down, kill, scale up. Every change rebalances Kafka and
 * moves Redis claims; effects must still be applied once. */
export const rebalanceStorm: Scenario = {
  name: 'rebalance-storm',
  description: 'Scale pools 2 -> 4 -> 1, kill a worker, scale to 4 again, all under load.',
  load: { messages: 800, ratePerSec: 40, concurrency: 4, batchSize: 2 },
  workers: { size: 2, workTimeMs: 20 },
  schedule: [
    { at: 3, fault: { kind: 'scale-pool', size: 4 }, healAfter: 4 },
    { at: 8, fault: { kind: 'scale-pool', size: 1 }, healAfter: 4 },
    { at: 13, fault: { kind: 'kill-worker' } },
    { at: 15, fault: { kind: 'scale-pool', size: 4 }, healAfter: 3 },
  ],
  expectations: { kills: { min: 1 } },
  timeouts: { drainSec: 40 },
};
