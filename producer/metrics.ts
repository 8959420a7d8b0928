import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TransportName } from '../lib/envelope.ts';

export type PublishOutcome = 'accepted' | 'failed' | 'indeterminate';

/** Seconds, from a millisecond up: one publish, one request. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The producer's Prometheus metrics, on a registry of its own (tests run several apps in
 * one process). Counters count events, the histogram times one publish call per request;
 * the `http_` pair counts and times every answer by route pattern and status, 4xx included.
 */
export interface ProducerMetrics {
  readonly registry: Registry;
  record(transport: TransportName, outcome: PublishOutcome, events: number, seconds: number): void;
  /** One answered request; `route` is the route's pattern, never the raw URL. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
}

function publishCounters(registry: Registry): Record<PublishOutcome, Counter<'transport'>> {
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ['transport'] as const, registers: [registry] });
  return {
    accepted: counter(
      'producer_events_accepted_total',
      'events acknowledged by the broker and answered 202',
    ),
    failed: counter(
      'producer_events_failed_total',
      'events certainly not published (answered 503)',
    ),
    indeterminate: counter(
      'producer_events_indeterminate_total',
      'events sent without an ack in time (answered 504)',
    ),
  };
}

export function createProducerMetrics(options: { defaultMetrics?: boolean } = {}): ProducerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const counters = publishCounters(registry);
  const latency = new Histogram({
    name: 'producer_publish_duration_seconds',
    help: 'time from handing a request to the broker until its ack or failure',
    labelNames: ['transport', 'outcome'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const httpLabels = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'producer_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: httpLabels,
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'producer_http_request_duration_seconds',
    help: 'time from receiving a request to sending its answer',
    labelNames: httpLabels,
    buckets: BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    record(transport, outcome, events, seconds) {
      counters[outcome].inc({ transport }, events);
      latency.observe({ transport, outcome }, seconds);
    },
    observeRequest(method, route, statusCode, seconds) {
      const labels = { method, route, status_code: String(statusCode) };
      requests.inc(labels);
      requestSeconds.observe(labels, seconds);
    },
  };
}
