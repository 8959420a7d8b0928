import type { Scenario } from '../harness/scenario.ts';

/** Slow links, no loss: correctness must not depend on timing, latency must show it. The
 * producer-side latency is upstream (on the way to the broker), so it delays the effects
 * themselves: a delay on the replies only would delay the 202s, which end-to-end latency
 * (invoke to first effect) does not see. */
export const latency: Scenario = {
  name: 'latency',
  description:
    'Add 500 ms latency from the producer to the brokers, then 200 ms on the worker links.',
  load: { messages: 600, ratePerSec: 30, concurrency: 8, batchSize: 1 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [
    {
      at: 3,
      fault: {
        kind: 'toxic',
        proxy: 'producer',
        type: 'latency',
        stream: 'upstream',
        attributes: { latency: 500, jitter: 50 },
      },
      healAfter: 8,
    },
    {
      at: 12,
      fault: {
        kind: 'toxic',
        proxy: 'workers',
        type: 'latency',
        stream: 'downstream',
        attributes: { latency: 200, jitter: 50 },
      },
      healAfter: 6,
    },
  ],
  expectations: { latencyP99Ms: { min: 400 } },
};
