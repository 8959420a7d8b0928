import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TransportName } from '../lib/envelope.ts';

export type PublishOutcome = 'accepted' | 'failed' | 'indeterminate';

/**
 * The producer's Prometheus metrics, on a registry of its own (tests run several apps in
 * one process). Counters count events, the histogram times one publish call per request.
 */
export interface ProducerMetrics {
  readonly registry: Registry;
  record(transport: TransportName, outcome: PublishOutcome, events: number, seconds: number): void;
}

export function createProducerMetrics(options: { defaultMetrics?: boolean } = {}): ProducerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const labelNames = ['transport'] as const;
  const counters: Record<PublishOutcome, Counter<'transport'>> = {
    accepted: new Counter({
      name: 'producer_events_accepted_total',
      help: 'events acknowledged by the broker and answered 202',
      labelNames,
      registers: [registry],
    }),
    failed: new Counter({
      name: 'producer_events_failed_total',
      help: 'events certainly not published (answered 503)',
      labelNames,
      registers: [registry],
    }),
    indeterminate: new Counter({
      name: 'producer_events_indeterminate_total',
      help: 'events sent without an ack in time (answered 504)',
      labelNames,
      registers: [registry],
    }),
  };
  const latency = new Histogram({
    name: 'producer_publish_duration_seconds',
    help: 'time from handing a request to the broker until its ack or failure',
    labelNames: ['transport', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    record(transport, outcome, events, seconds) {
      counters[outcome].inc({ transport }, events);
      latency.observe({ transport, outcome }, seconds);
    },
  };
}
