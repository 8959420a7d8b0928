import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';
import type { TransportName } from '../lib/envelope.ts';

/**
 * How one delivery (one handler call) ended: `processed` (the effect is in the sink, or was
 * already), `failed` (the event will be delivered again), `dead_lettered` (failed for the
 * last time: the consumer hands it to the dead-letter destination).
 */
export type DeliveryOutcome = 'processed' | 'failed' | 'dead_lettered';
export const DELIVERY_OUTCOMES: readonly DeliveryOutcome[] = [
  'processed',
  'failed',
  'dead_lettered',
];

/** What the handler records: call `started` as a delivery begins, its result as it ends. */
export interface DeliveryMetrics {
  started(deliveryCount: number): (outcome: DeliveryOutcome) => void;
}

export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** The worker's metrics: recorded in the worker, sent to the primary as snapshots. */
export interface WorkerMetrics extends DeliveryMetrics {
  readonly registry: Registry;
  /** True when something was recorded since the last `snapshot()`. */
  readonly changed: boolean;
  snapshot(): Promise<MetricsSnapshot>;
}

/** Worker -> primary: the worker's metrics as `registry.getMetricsAsJSON()` gives them. */
export interface MetricsMessage {
  type: 'metrics';
  metrics: MetricsSnapshot;
}

export function isMetricsMessage(msg: unknown): msg is MetricsMessage {
  return (
    typeof msg === 'object' &&
    msg !== null &&
    (msg as { type?: unknown }).type === 'metrics' &&
    Array.isArray((msg as { metrics?: unknown }).metrics)
  );
}

/** Seconds, from a millisecond (a sink write) to ten (simulated work, a slow sink). */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The per-worker metrics of a pool consuming `transport`, every label set initialised to 0
 * so that a query finds the series before the first failure. The primary builds the same
 * registry, empty, as the template of the pool's page.
 */
function registerWorkerMetrics(registry: Registry, transport: TransportName) {
  const labelNames = ['transport', 'outcome'] as const;
  const deliveries = new Counter({
    name: 'worker_deliveries_total',
    help: 'deliveries handled (handler calls), by how they ended: processed, failed (delivered again later), dead_lettered',
    labelNames,
    registers: [registry],
  });
  const redeliveries = new Counter({
    name: 'worker_redeliveries_total',
    help: 'deliveries of an event delivered before (delivery count above 1), by how they ended',
    labelNames,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'worker_handling_duration_seconds',
    help: 'time one delivery spent in the handler (simulated work and the sink write)',
    labelNames,
    buckets: BUCKETS,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'worker_events_in_flight',
    help: 'deliveries being handled right now',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  for (const outcome of DELIVERY_OUTCOMES) {
    deliveries.inc({ transport, outcome }, 0);
    redeliveries.inc({ transport, outcome }, 0);
    seconds.zero({ transport, outcome });
  }
  inFlight.set({ transport }, 0);
  return { deliveries, redeliveries, seconds, inFlight };
}

/** The metrics one worker keeps and pushes to the primary (`snapshot`) when they changed. */
export function createWorkerMetrics(transport: TransportName): WorkerMetrics {
  const registry = new Registry();
  const { deliveries, redeliveries, seconds, inFlight } = registerWorkerMetrics(
    registry,
    transport,
  );
  let changed = false;
  return {
    registry,
    get changed() {
      return changed;
    },
    started(deliveryCount) {
      const stop = seconds.startTimer({ transport });
      inFlight.inc({ transport });
      changed = true;
      let ended = false;
      return (outcome) => {
        if (ended) return;
        ended = true;
        inFlight.dec({ transport });
        stop({ outcome });
        deliveries.inc({ transport, outcome });
        if (deliveryCount > 1) redeliveries.inc({ transport, outcome });
        changed = true;
      };
    },
    async snapshot() {
      changed = false;
      return registry.getMetricsAsJSON();
    },
  };
}
