import cluster from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import type { Config } from '../lib/config.ts';
import type { TransportName } from '../lib/envelope.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { driverFor } from '../lib/transports/registry.ts';
import type { PendingState } from '../lib/transports/types.ts';
import { withTimeout } from '../lib/with-timeout.ts';
import type { PoolState } from './supervisor.ts';
import { createWorkerMetrics, isMetricsMessage, type MetricsSnapshot } from './worker-metrics.ts';

/** A scrape waits this long at most for the broker's pending count, then answers without it. */
export const PENDING_TIMEOUT_MS = 2000;
/** Scrapes within this time of a read share it (several scrapers, a dashboard refresh). */
export const PENDING_CACHE_MS = 1000;

export interface PoolMetricsOptions {
  transport: TransportName;
  /** The pool's view, for the worker and restart counts. */
  state: () => PoolState;
  /** What the broker holds unacknowledged (a driver inspector's `pending`). */
  pending: () => Promise<PendingState>;
  logger?: Logger;
  pendingTimeoutMs?: number;
  pendingCacheMs?: number;
  /** The clock of the cache period (tests); default Date.now. */
  now?: () => number;
}

export interface PoolMetrics {
  readonly contentType: string;
  /** The pool's page: every worker's metrics summed, and the primary's own. */
  text(): Promise<string>;
  /** The latest snapshot of a live worker (cluster worker id). */
  onSnapshot(workerKey: number, snapshot: MetricsSnapshot): void;
  /** The worker exited: its counters and histograms stay in the sums, its gauges go. */
  onExit(workerKey: number): Promise<void>;
}

/** The driver's pending count, read at most once per cache period and bounded by a timeout. */
function cachedPending(options: PoolMetricsOptions): () => Promise<number | undefined> {
  const timeoutMs = options.pendingTimeoutMs ?? PENDING_TIMEOUT_MS;
  const cacheMs = options.pendingCacheMs ?? PENDING_CACHE_MS;
  const now = options.now ?? Date.now;
  let last: { at: number; value: number | undefined } | undefined;
  // One read at a time: one that timed out keeps running and is joined, not started again.
  let reading: Promise<number> | undefined;
  return async () => {
    if (last !== undefined && now() - last.at < cacheMs) return last.value;
    reading ??= options
      .pending()
      .then((p) => {
        // A read that outlived its scrape still serves the next ones.
        last = { at: now(), value: p.pending };
        return p.pending;
      })
      .finally(() => {
        reading = undefined;
      });
    let value: number | undefined;
    try {
      value = await withTimeout(
        reading,
        timeoutMs,
        () => new Error(`no answer in ${timeoutMs} ms`),
      );
    } catch (err) {
      options.logger?.warn({ err: errorMessage(err) }, 'pending count unavailable for /metrics');
    }
    last = { at: now(), value };
    return value;
  };
}

/** The primary's own metrics: the broker's view of the backlog and the pool's restarts. */
function primaryRegistry(options: PoolMetricsOptions): Registry {
  const registry = new Registry();
  const { transport } = options;
  const readPending = cachedPending(options);
  const readErrors = new Counter({
    name: 'worker_consumer_pending_read_errors_total',
    help: 'scrapes that could not read the pending count in time (the gauge is then absent)',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  readErrors.inc({ transport }, 0);
  new Gauge({
    name: 'worker_consumer_pending',
    help: 'events the broker holds unacknowledged for the pool: Kafka lag, Redis pending plus undelivered, BullMQ waiting and active',
    labelNames: ['transport'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const value = await readPending();
      if (value === undefined) readErrors.inc({ transport });
      else this.set({ transport }, value);
    },
  });
  let counted = 0;
  new Counter({
    name: 'worker_pool_restarts_total',
    help: 'workers the supervisor replaced after they died',
    labelNames: ['transport'] as const,
    registers: [registry],
    collect() {
      const total = options.state().totalRestarts;
      this.inc({ transport }, Math.max(0, total - counted));
      counted = Math.max(counted, total);
    },
  });
  new Gauge({
    name: 'worker_pool_workers',
    help: 'worker slots by state (starting, running, respawning, draining)',
    labelNames: ['transport', 'state'] as const,
    registers: [registry],
    collect() {
      const { workers } = options.state();
      this.reset();
      for (const s of ['starting', 'running', 'respawning', 'draining'] as const)
        this.set({ transport, state: s }, workers.filter((w) => w.state === s).length);
    },
  });
  return registry;
}

/**
 * The pool's /metrics, summed over its cluster workers with prom-client's
 * AggregatorRegistry. Workers push snapshots (worker.ts) instead of being asked at scrape
 * time: a paused (SIGSTOPped) worker cannot stall or fail a scrape, and a SIGKILLed one's
 * counts are not lost, so the pool's counters never go back when a worker dies.
 */
export function createPoolMetrics(options: PoolMetricsOptions): PoolMetrics {
  const template = createWorkerMetrics(options.transport).registry;
  const primary = primaryRegistry(options);
  const live = new Map<number, MetricsSnapshot>();
  const exited = new Set<number>();
  let retired: MetricsSnapshot = [];
  let exits = Promise.resolve();
  return {
    contentType: primary.contentType,
    async text() {
      const parts = [
        await template.getMetricsAsJSON(),
        retired,
        ...live.values(),
        await primary.getMetricsAsJSON(),
      ];
      return AggregatorRegistry.aggregate(parts).metrics();
    },
    onSnapshot(workerKey, snapshot) {
      if (!exited.has(workerKey)) live.set(workerKey, snapshot);
    },
    onExit(workerKey) {
      exited.add(workerKey);
      // In order, and the last snapshot stays live until it is folded in: never counted twice or not at all.
      exits = exits.then(async () => {
        const last = live.get(workerKey);
        if (last === undefined) return;
        // prom-client types `type` as an enum; at run time it is the name ('gauge').
        const kept = last.filter((m) => String(m.type) !== 'gauge');
        retired = await AggregatorRegistry.aggregate([retired, kept]).getMetricsAsJSON();
        live.delete(workerKey);
      });
      return exits;
    },
  };
}

/** Feeds `metrics` from this primary's cluster workers (their snapshot messages and exits). */
export function listenToWorkers(metrics: PoolMetrics): void {
  cluster.on('message', (worker, msg: unknown) => {
    if (isMetricsMessage(msg)) metrics.onSnapshot(worker.id, msg.metrics);
  });
  cluster.on('exit', (worker) => void metrics.onExit(worker.id));
}

/** The pool metrics of a supervisor consuming `transport`, wired to its cluster workers. */
export function poolMetricsFor(
  transport: TransportName,
  config: Config,
  state: () => PoolState,
  logger?: Logger,
): PoolMetrics {
  const inspector = driverFor(transport).inspect(config);
  const metrics = createPoolMetrics({
    transport,
    state,
    pending: () => inspector.pending(),
    logger,
  });
  listenToWorkers(metrics);
  return metrics;
}
