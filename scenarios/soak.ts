import type { Scenario } from '../harness/scenario.ts';
import { CHAOS_FAULTS } from './chaos.ts';

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
    faults: CHAOS_FAULTS,
  },
  expectations: {},
  timeouts: { drainSec: 120 },
  // Generous guards, not targets: a fault that stops publishing for 30 s or consumption for
  // a minute is a regression. Measured at 120 s: producer cut-offs ~3 s, stalls up to ~23 s
  // (BullMQ after a rolling restart of all its workers).
  maxUnavailableMs: 30_000,
  maxRecoveryMs: 60_000,
};
