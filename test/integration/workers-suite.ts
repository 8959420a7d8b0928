/**
 * The worker pool tests, one universal suite run for every registered driver (Watermill's
 * universal pubsub tests): what differs between transports is declared by the driver's
 * features, never branched on by name. Real brokers from the shared infra; the pool is a
 * real child process.
 */
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../lib/config.ts';
import { createSink, type Sink } from '../../lib/sink.ts';
import type {
  TransportDriver,
  TransportInspector,
  TransportVariant,
} from '../../lib/transports/driver.ts';
import { createRedisClient } from '../../lib/transports/redis-client.ts';
import { endpointsToEnv } from '../../harness/infra/index.ts';
import { watchRecovery } from '../../harness/watch-recovery.ts';
import type { WorkerPool } from '../../harness/worker-pool.ts';
import { useInfra } from '../support/infra.ts';
import { isolatedEnv, makeEvents, publishRaw, startPool, waitUntil } from './workers-pool.ts';

/** Small timeouts so crashes recover in seconds. */
const FAST = {
  LOG_LEVEL: 'info',
  KAFKA_PARTITIONS: '4',
  KAFKA_SESSION_TIMEOUT_MS: '6000',
  KAFKA_HEARTBEAT_INTERVAL_MS: '500',
  REDIS_CLAIM_IDLE_MS: '2000',
  REDIS_CLAIM_INTERVAL_MS: '500',
  REDIS_BLOCK_MS: '500',
  BULLMQ_LOCK_DURATION_MS: '3000',
  BULLMQ_STALLED_INTERVAL_MS: '1000',
  WORKER_RETRY_BACKOFF_MS: '50',
  RESPAWN_BACKOFF_MIN_MS: '100',
  WORKER_DRAIN_TIMEOUT_MS: '10000',
};

/** Figures the tests measured, printed after the suite (for the report). */
export const measured: Record<string, unknown> = {};

export function describeWorkerPool(driver: TransportDriver, variant?: TransportVariant): void {
  const transport = driver.name;
  // A variant (another client library) runs the same cases on names of its own.
  const label = variant ? `${transport} (${variant.name})` : transport;
  const tagged = variant ? `${transport}-${variant.name}` : transport;
  describe(`worker pool: ${label} (real brokers)`, function () {
    this.timeout(90_000);
    const infra = useInfra();
    let env: Record<string, string>;
    let config: Config;
    let inspector: TransportInspector;
    let sinkRedis: Redis;
    let sink: Sink;
    const pools: WorkerPool[] = [];

    const setup = (tag: string, extra: Record<string, string> = {}) => {
      env = {
        ...endpointsToEnv(infra().endpoints),
        ...FAST,
        ...isolatedEnv(`${tagged}-${tag}`),
        ...variant?.env,
        ...extra,
      };
      config = loadConfig(env);
      inspector = driver.inspect(config);
      sink = createSink(sinkRedis, { namespace: config.sink.namespace });
    };
    const pool = async (size = 2, extra: Record<string, string> = {}) => {
      const p = await startPool({ transport, size, env: { ...env, ...extra } });
      pools.push(p);
      return p;
    };
    const records = async () => (await sink.counts(transport)).records;
    const pending = async () => (await inspector.pending()).pending;
    const allRecords = async () => {
      const out = [];
      for await (const page of sink.scan(transport)) out.push(...page);
      return out;
    };

    before(async function () {
      sinkRedis = createRedisClient(infra().endpoints.sink.direct, 'workers-test', {
        lazyConnect: true,
      });
      await sinkRedis.connect();
    });
    afterEach(async function () {
      await Promise.all(pools.splice(0).map((p) => p.stop()));
    });
    after(function () {
      sinkRedis?.disconnect();
      // The figures for the report, next to the test output.
      if (Object.keys(measured).length > 0) {
        process.stdout.write(`      measured: ${JSON.stringify(measured)}\n`);
      }
    });

    it('processes and acks 1,000 events once each; nothing pending', async function () {
      setup('basic');
      const events = makeEvents(1000);
      await publishRaw(transport, config, events);
      const p = await pool(2);
      await waitUntil('1,000 records', async () => (await records()) === 1000, 60_000);
      await waitUntil('nothing pending', async () => (await pending()) === 0, 20_000);
      const counts = await sink.counts(transport);
      expect(counts).to.include({ records: 1000, effects: 1000, doubleEffects: 0 });
      const ids = new Set((await allRecords()).filter((r) => r.effects === 1).map((r) => r.id));
      expect(events.every((e) => ids.has(e.id))).to.equal(true);
      // Processed counts reach /state in batched IPC messages, a moment after the sink write.
      await waitUntil(
        '/state counts 1,000',
        async () => (await p.state()).processed === 1000,
        5_000,
      );
      expect(await p.stop()).to.deep.equal({ code: 0, signal: null });
    });

    it('survives a SIGKILLed worker: all processed, nothing pending, effects once', async function () {
      setup('crash', { WORK_TIME_MS: '40', WORKER_CONCURRENCY: '4' });
      const events = makeEvents(1000);
      await publishRaw(transport, config, events);
      const p = await pool(2);
      // Both members own partitions before the kill, so the victim surely holds some.
      await waitUntil('a settled group', () => inspector.settled(2), 60_000, 100);
      await waitUntil('some progress', async () => (await records()) >= 150, 60_000, 50);
      const victim = (await p.state()).workers.find((w) => w.workerId === '0');
      expect(victim?.pid).to.be.a('number');
      process.kill(victim!.pid!, 'SIGKILL');
      const killedAt = Date.now();
      // Read at once: a dead consumer's share stays frozen until it is taken over.
      const held = await inspector.heldBy('0');
      expect(held.length, 'the killed worker held events').to.be.greaterThan(0);
      const times = await watchRecovery(sink, transport, held, killedAt, 60_000);
      measured[`${tagged}.recoveryAfterSigkillMs`] = Math.max(...times);
      measured[`${tagged}.inFlightAtKill`] = held.length;
      await waitUntil('1,000 records', async () => (await records()) === 1000, 60_000);
      await waitUntil('nothing pending', async () => (await pending()) === 0, 20_000);
      const counts = await sink.counts(transport);
      expect(counts.effects).to.equal(1000);
      expect(counts.doubleEffects).to.equal(0);
      measured[`${tagged}.redeliveredAfterSigkill`] = counts.redelivered;
      // Native counts or durable receipts: either way the held events show as redelivered.
      expect(counts.redelivered).to.be.greaterThan(0);
      const state = await p.state();
      expect(state.totalRestarts).to.equal(1);
      expect(state.workers.find((w) => w.workerId === '0')?.pid).to.not.equal(victim!.pid);
    });

    it('drains a backlog published while no pool ran', async function () {
      setup('down-up');
      const events = makeEvents(500);
      await publishRaw(transport, config, events);
      expect(await records()).to.equal(0);
      await pool(2);
      await waitUntil('500 records', async () => (await records()) === 500, 60_000);
      await waitUntil('nothing pending', async () => (await pending()) === 0, 20_000);
      // And events published while it runs are picked up too.
      await publishRaw(transport, config, makeEvents(100));
      await waitUntil('600 records', async () => (await records()) === 600, 30_000);
    });

    it('dead-letters poison events after maxDeliveries with their error; the rest processed', async function () {
      setup('poison', { MAX_DELIVERIES: '3', REDIS_CLAIM_IDLE_MS: '1000' });
      const events = makeEvents(200, { poison: (i) => i % 50 === 3 });
      const poison = events
        .filter((e) => (e.payload as { poison?: boolean }).poison)
        .map((e) => e.id);
      await publishRaw(transport, config, events);
      await pool(2);
      await waitUntil('196 records', async () => (await records()) === 196, 60_000);
      let dead = await inspector.deadLetters();
      await waitUntil(
        '4 dead letters',
        async () => (dead = await inspector.deadLetters()).length >= 4,
        60_000,
        500,
      );
      expect(dead.map((d) => d.id).sort()).to.deep.equal([...poison].sort());
      for (const d of dead) {
        expect(d.error).to.match(/poison/);
        expect(d.deliveries).to.equal(3);
      }
      await waitUntil('nothing pending', async () => (await pending()) === 0, 20_000);
      const stored = await sink.get(transport, poison);
      expect(stored.size).to.equal(0);
    });

    it('drains gracefully on SIGTERM: no redeliveries, nothing lost', async function () {
      setup('graceful', { WORK_TIME_MS: '20', WORKER_CONCURRENCY: '4' });
      const events = makeEvents(800);
      await publishRaw(transport, config, events);
      const p = await pool(2);
      await waitUntil('some progress', async () => (await records()) >= 100, 60_000, 50);
      const t0 = Date.now();
      p.signal('SIGTERM');
      const exit = await p.exited();
      measured[`${tagged}.gracefulStopMs`] = Date.now() - t0;
      expect(exit).to.deep.equal({ code: 0, signal: null });
      const done = await records();
      expect(done).to.be.lessThan(800);
      if (driver.features.exactPendingAfterStop) {
        // Nothing left in flight (where commits are batched, an uncommitted tail shows as lag).
        expect((await inspector.pending()).pending).to.equal(800 - done);
      }
      await pool(2);
      await waitUntil('800 records', async () => (await records()) === 800, 60_000);
      await waitUntil('nothing pending', async () => (await pending()) === 0, 20_000);
      expect(await sink.counts(transport)).to.include({
        effects: 800,
        redelivered: 0,
        doubleEffects: 0,
      });
    });
  });
}
