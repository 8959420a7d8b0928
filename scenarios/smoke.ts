import type { Scenario } from '../harness/scenario.ts';

/** The control: no faults. If this fails, nothing else means anything. */
export const smoke: Scenario = {
  name: 'smoke',
  description: 'Control run without faults: every event accepted, processed once, nothing pending.',
  load: { messages: 300, ratePerSec: 50, concurrency: 4, batchSize: 5 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [],
  expectations: { producerFailures: { max: 0 } },
};
