import type { Scenario } from '../harness/scenario.ts';

/** Short bursts of resets, sliced packets and jitter on every link, one after another. */
export const flakyNetwork: Scenario = {
  name: 'flaky-network',
  description: 'Bursts of reset_peer, slicer and jittery latency on producer and worker links.',
  load: { messages: 720, ratePerSec: 30, concurrency: 6, batchSize: 2 },
  workers: { size: 2, workTimeMs: 10 },
  schedule: [
    {
      at: 3,
      fault: {
        kind: 'toxic',
        proxy: 'workers',
        type: 'reset_peer',
        stream: 'downstream',
        attributes: { timeout: 500 },
        toxicity: 0.5,
      },
      healAfter: 3,
    },
    {
      at: 7,
      fault: {
        kind: 'toxic',
        proxy: 'producer',
        type: 'slicer',
        stream: 'upstream',
        attributes: { average_size: 32, size_variation: 16, delay: 200 },
      },
      healAfter: 4,
    },
    {
      at: 12,
      fault: {
        kind: 'toxic',
        proxy: 'producer',
        type: 'latency',
        // Upstream: the publish itself is late, so end-to-end latency shows it on every
        // transport (a delayed reply only slows the producer's ack).
        stream: 'upstream',
        attributes: { latency: 300, jitter: 150 },
      },
      healAfter: 5,
    },
    {
      at: 18,
      fault: {
        kind: 'toxic',
        proxy: 'producer',
        type: 'reset_peer',
        stream: 'downstream',
        attributes: { timeout: 200 },
        toxicity: 0.3,
      },
      healAfter: 3,
    },
  ],
  expectations: { latencyP99Ms: { min: 150 } },
  timeouts: { drainSec: 40 },
};
