import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { AppError, PermanentHandlerError } from '../../lib/errors.ts';
import type { Sink } from '../../lib/sink.ts';
import type { PendingState } from '../../lib/transports/types.ts';
import { createHandler, failedOutcome } from '../../workers/handler.ts';
import { createPoolMetrics } from '../../workers/pool-metrics.ts';
import type { PoolState } from '../../workers/supervisor.ts';
import { createWorkerMetrics, type WorkerMetrics } from '../../workers/worker-metrics.ts';
import { hasSample, parseMetrics, sumOf, type Sample } from '../support/prometheus.ts';

const transport = 'redis' as const;

/** A sink that applies every effect, or fails as told. */
function fakeSink(fail?: () => Error): Sink {
  return {
    record: () => {
      const err = fail?.();
      return err
        ? Promise.reject(err)
        : Promise.resolve({ applied: true, deliveries: 1, effects: 1 });
    },
  } as unknown as Sink;
}

const page = async (metrics: WorkerMetrics): Promise<Sample[]> =>
  parseMetrics(await metrics.registry.metrics());

const state = (): PoolState => ({
  transport,
  size: 2,
  workers: [
    { workerId: '0', pid: 1, restarts: 1, processed: 0, startedAt: null, state: 'running' },
    { workerId: '1', pid: null, restarts: 0, processed: 0, startedAt: null, state: 'respawning' },
  ],
  totalRestarts: 1,
  processed: 0,
});

const pendingOf = (n: number): PendingState => ({ transport, pending: n, detail: {} });

/** A worker's snapshot after it handled `processed` events and had `inFlight` running. */
async function snapshotOf(processed: number, inFlight = 0) {
  const m = createWorkerMetrics(transport);
  for (let i = 0; i < processed; i++) m.started(1)('processed');
  for (let i = 0; i < inFlight; i++) m.started(1);
  return m.snapshot();
}

describe('workers: metrics', function () {
  describe('the handler', function () {
    it('counts each delivery by outcome, redeliveries apart, and times it', async function () {
      const metrics = createWorkerMetrics(transport);
      const ok = createHandler({
        transport,
        sink: fakeSink(),
        workerId: '0',
        metrics,
        maxDeliveries: 3,
      });
      const event = (payload: Record<string, unknown>) => ({
        id: 'e',
        type: 't',
        payload,
        producedAt: new Date().toISOString(),
      });
      await ok({ event: event({}), deliveryCount: 1 });
      await ok({ event: event({}), deliveryCount: 2 });
      for (const deliveryCount of [1, 2, 3])
        await ok({ event: event({ poison: true }), deliveryCount }).catch(() => undefined);
      const samples = await page(metrics);
      const count = (name: string, outcome: string) => sumOf(samples, name, { transport, outcome });
      expect(count('worker_deliveries_total', 'processed')).to.equal(2);
      expect(count('worker_deliveries_total', 'failed')).to.equal(2);
      expect(count('worker_deliveries_total', 'dead_lettered')).to.equal(1);
      expect(count('worker_redeliveries_total', 'processed')).to.equal(1);
      expect(count('worker_redeliveries_total', 'failed')).to.equal(1);
      expect(count('worker_redeliveries_total', 'dead_lettered')).to.equal(1);
      expect(count('worker_handling_duration_seconds_count', 'processed')).to.equal(2);
      expect(sumOf(samples, 'worker_events_in_flight')).to.equal(0);
    });

    it('never counts a retriable failure (the sink down) as dead-lettered', function () {
      const sinkDown = new AppError('SINK_UNAVAILABLE', 'down', { retriable: true });
      expect(failedOutcome(sinkDown, 9, 3)).to.equal('failed');
      expect(failedOutcome(new PermanentHandlerError('bad'), 2, 3)).to.equal('failed');
      expect(failedOutcome(new PermanentHandlerError('bad'), 3, 3)).to.equal('dead_lettered');
      expect(failedOutcome(new Error('bug'), 4, 3)).to.equal('dead_lettered');
    });

    it('shows in-flight deliveries while they run', async function () {
      const metrics = createWorkerMetrics(transport);
      let release: () => void = () => undefined;
      const slow = createHandler({
        transport,
        sink: {
          record: () => new Promise((resolve) => (release = () => resolve({}))),
        } as unknown as Sink,
        workerId: '0',
        metrics,
      });
      const running = slow({
        event: { id: 'e', type: 't', payload: {}, producedAt: '' },
        deliveryCount: 1,
      });
      await sleep(1);
      expect(sumOf(await page(metrics), 'worker_events_in_flight')).to.equal(1);
      release();
      await running;
      expect(sumOf(await page(metrics), 'worker_events_in_flight')).to.equal(0);
    });

    it('starts every series at zero, so a query finds it before the first failure', async function () {
      const samples = await page(createWorkerMetrics(transport));
      for (const outcome of ['processed', 'failed', 'dead_lettered'])
        expect(
          hasSample(samples, 'worker_deliveries_total', { transport, outcome }),
          outcome,
        ).to.equal(true);
    });
  });

  describe('the pool page', function () {
    it("sums the workers, and keeps a dead worker's counters but not its gauges", async function () {
      const pool = createPoolMetrics({
        transport,
        state,
        pending: () => Promise.resolve(pendingOf(7)),
      });
      pool.onSnapshot(1, await snapshotOf(10, 2));
      pool.onSnapshot(2, await snapshotOf(5, 1));
      let samples = parseMetrics(await pool.text());
      expect(sumOf(samples, 'worker_deliveries_total', { outcome: 'processed' })).to.equal(15);
      expect(sumOf(samples, 'worker_events_in_flight')).to.equal(3);
      await pool.onExit(1);
      // A message that arrives after the exit must not count the worker twice.
      pool.onSnapshot(1, await snapshotOf(10, 2));
      pool.onSnapshot(3, await snapshotOf(1)); // its replacement
      samples = parseMetrics(await pool.text());
      expect(sumOf(samples, 'worker_deliveries_total', { outcome: 'processed' })).to.equal(16);
      expect(
        sumOf(samples, 'worker_handling_duration_seconds_count', { outcome: 'processed' }),
      ).to.equal(16);
      expect(sumOf(samples, 'worker_events_in_flight')).to.equal(1);
    });

    it('adds the pending count, the worker states and the restarts', async function () {
      const pool = createPoolMetrics({
        transport,
        state,
        pending: () => Promise.resolve(pendingOf(7)),
      });
      const samples = parseMetrics(await pool.text());
      expect(sumOf(samples, 'worker_consumer_pending', { transport })).to.equal(7);
      expect(sumOf(samples, 'worker_pool_workers', { state: 'running' })).to.equal(1);
      expect(sumOf(samples, 'worker_pool_workers', { state: 'respawning' })).to.equal(1);
      expect(sumOf(samples, 'worker_pool_restarts_total', { transport })).to.equal(1);
      // Before any worker reported, every worker series is there at zero.
      expect(hasSample(samples, 'worker_deliveries_total', { outcome: 'dead_lettered' })).to.equal(
        true,
      );
    });

    it('answers without the pending count when the broker is slow, and reads it once per period', async function () {
      let reads = 0;
      let clock = 0;
      let answerFirst: (() => void) | undefined;
      const slow = createPoolMetrics({
        transport,
        state,
        // The first read answers only when the test says so; the later ones at once.
        pending: () => {
          reads += 1;
          const n = reads;
          if (n > 1) return Promise.resolve(pendingOf(n));
          return new Promise((resolve) => (answerFirst = () => resolve(pendingOf(n))));
        },
        pendingTimeoutMs: 20,
        pendingCacheMs: 150,
        now: () => clock,
      });
      // The scrape returns although the read has not answered: it did not wait for it.
      let samples = parseMetrics(await slow.text());
      expect(hasSample(samples, 'worker_consumer_pending')).to.equal(false);
      expect(sumOf(samples, 'worker_consumer_pending_read_errors_total')).to.equal(1);
      clock = 175;
      // The first read still runs: it is joined, not started again.
      await slow.text();
      expect(reads).to.equal(1);
      // Once it has finished, its late answer serves the scrapes of its period.
      answerFirst?.();
      await sleep(0);
      clock = 300;
      samples = parseMetrics(await slow.text());
      expect(sumOf(samples, 'worker_consumer_pending')).to.equal(1);
      expect(reads).to.equal(1);
      clock = 350;
      samples = parseMetrics(await slow.text());
      expect(sumOf(samples, 'worker_consumer_pending')).to.equal(2);
    });
  });
});
