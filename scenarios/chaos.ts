import type { FaultSpec } from '../harness/nemesis/index.ts';
import type { Scenario } from '../harness/scenario.ts';

/** The fault mix of the chaos runs (also the soak's). */
export const CHAOS_FAULTS: FaultSpec[] = [
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
];

/** A seeded random mix of the other scenarios' faults; `--seed` replays one exactly. */
export const chaos: Scenario = {
  name: 'chaos',
  description: 'Seeded random faults (kills, pauses, partitions, latency, sink outage) under load.',
  load: { messages: 900, ratePerSec: 30, concurrency: 6, batchSize: 2 },
  workers: { size: 3, workTimeMs: 20 },
  schedule: [],
  chaos: {
    startSec: 2,
    endSec: 24,
    meanIntervalSec: 4,
    healAfterSec: [2, 5],
    maxActive: 1,
    faults: CHAOS_FAULTS,
  },
  expectations: {},
  timeouts: { drainSec: 60 },
};
