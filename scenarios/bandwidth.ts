import type { Scenario } from '../harness/scenario.ts';

/** A thin pipe to the workers: demand (~80 KB/s per link) far above 16 KB/s builds a
 * backlog that must drain after the heal. */
export const bandwidth: Scenario = {
  name: 'bandwidth',
  description: 'Throttle the worker links to 16 KB/s for 10 s with 2 KB payloads.',
  load: { messages: 540, ratePerSec: 30, concurrency: 4, batchSize: 2, payloadBytes: 2048 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [
    {
      at: 4,
      fault: {
        kind: 'toxic',
        proxy: 'workers',
        type: 'bandwidth',
        stream: 'downstream',
        attributes: { rate: 16 },
      },
      healAfter: 10,
    },
  ],
  expectations: { latencyP99Ms: { min: 500 } },
  timeouts: { drainSec: 40 },
};
