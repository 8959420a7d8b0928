/** How big each measurement is; `--quick` shrinks everything, the shape stays the same. */
export interface BenchPlan {
  mode: 'quick' | 'full';
  /** Bytes of each event's JSON payload. */
  payloadBytes: number;
  ingest: {
    /** Events per run (producer, raw client, broker tool each). */
    events: number;
    batchSize: number;
    /** Requests (or raw batches) in flight at once. */
    concurrency: number;
  };
  single: { durationS: number; connections: number };
  drain: { events: number; poolSize: number; timeoutMs: number };
  recovery: { events: number; poolSize: number; workTimeMs: number };
  latency: { durationS: number; connections: number; fractions: readonly number[] };
  /** --tracing-cost: off/on pairs of the ingest and drain runs; the best of each is kept. */
  tracing: { rounds: number };
}

export function benchPlan(quick: boolean): BenchPlan {
  return quick
    ? {
        mode: 'quick',
        payloadBytes: 256,
        ingest: { events: 5_000, batchSize: 100, concurrency: 8 },
        single: { durationS: 2, connections: 32 },
        drain: { events: 3_000, poolSize: 2, timeoutMs: 60_000 },
        recovery: { events: 2_000, poolSize: 2, workTimeMs: 200 },
        latency: { durationS: 2, connections: 200, fractions: [0.25, 0.75] },
        tracing: { rounds: 1 },
      }
    : {
        mode: 'full',
        payloadBytes: 256,
        ingest: { events: 100_000, batchSize: 100, concurrency: 8 },
        single: { durationS: 10, connections: 32 },
        drain: { events: 100_000, poolSize: 2, timeoutMs: 180_000 },
        recovery: { events: 2_000, poolSize: 2, workTimeMs: 200 },
        latency: { durationS: 10, connections: 200, fractions: [0.25, 0.75] },
        tracing: { rounds: 3 },
      };
}
