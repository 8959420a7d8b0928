import type { Scenario } from '../harness/scenario.ts';

/**
 * Continuous seeded faults for as long as the load runs: `--duration` sets its length
 * (default 120 s) and the chaos window follows it, ending 20 s before the load so the last
 * heals happen under load. About 300 events/s over the three transports: an hour is 10^6
 * events. `--concurrency` sets the requests in flight per transport.
 */
export const soak: Scenario = {
  name: 'soak',
  description:
    'Seeded random faults through the whole load, any length (--duration S, default 120).',
  load: {
    // The duration ends the load; the count only has to be out of reach.
    messages: 1_000_000_000,
    ratePerSec: 100,
    concurrency: 8,
    batchSize: 5,
    durationSec: 120,
  },
  workers: { size: 3, workTimeMs: 2 },
  schedule: [],
  chaos: {
    startSec: 5,
    endSec: 100,
    endBeforeLoadEndSec: 20,
    meanIntervalSec: 15,
    healAfterSec: [2, 6],
    maxActive: 1,
    faults: [
      { kind: 'kill-worker' },
      { kind: 'pause-worker' },
      { kind: 'rolling-restart', intervalMs: 500 },
      { kind: 'proxy-down', proxy: 'workers' },
      { kind: 'proxy-down', proxy: 'producer' },
      {
        kind: 'toxic',
        proxy: 'workers',
        type: 'latency',
        stream: 'downstream',
        attributes: { latency: 300, jitter: 100 },
      },
      {
        kind: 'toxic',
        proxy: 'producer',
        type: 'reset_peer',
        stream: 'downstream',
        attributes: { timeout: 300 },
        toxicity: 0.5,
      },
      { kind: 'sink-outage' },
    ],
  },
  expectations: {},
  timeouts: { drainSec: 120 },
  // Generous guards, not targets: a fault that stops publishing for 30 s or consumption for
  // a minute is a regression. Measured at 120 s: producer cut-offs ~3 s, stalls up to ~23 s
  // (BullMQ after a rolling restart of all its workers).
  maxUnavailableMs: 30_000,
  maxRecoveryMs: 60_000,
};
