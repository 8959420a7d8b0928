import type { Scenario } from '../harness/scenario.ts';

/** Rolling SIGTERM: drained workers ack what they hold, so nothing is redelivered. */
export const gracefulRestart: Scenario = {
  name: 'graceful-restart',
  description:
    'Rolling SIGTERM restart of every pool, twice; graceful drains must cause no redelivery.',
  load: { messages: 700, ratePerSec: 35, concurrency: 4, batchSize: 2 },
  workers: { size: 3, workTimeMs: 20 },
  schedule: [
    { at: 4, fault: { kind: 'rolling-restart', intervalMs: 1000 } },
    { at: 12, fault: { kind: 'rolling-restart', intervalMs: 1000 } },
  ],
  expectations: { redeliveries: { max: 0 } },
};
