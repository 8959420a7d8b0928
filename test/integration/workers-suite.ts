/**
 * The worker pool tests, the same for every transport (one test file per transport calls
 * `describeWorkerPool`). Real brokers from the shared infra; the pool is a real child process.
 */
import { hostname } from 'node:os';
import { expect } from 'chai';
import { Queue } from 'bullmq';
import { AssignerProtocol } from 'kafkajs';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../lib/config.ts';
import type { TransportName } from '../../lib/envelope.ts';
import { createSink, type Sink } from '../../lib/sink.ts';
import { readDeadLetters } from '../../lib/transports/dead-letters.ts';
import { createKafkaClient } from '../../lib/transports/kafka-client.ts';
import { pendingState } from '../../lib/transports/pending-state.ts';
import { createRedisClient } from '../../lib/transports/redis-client.ts';
import { redisConsumerName } from '../../lib/transports/redis-consumer.ts';
import { endpointsToEnv } from '../../harness/infra/index.ts';
import { useInfra } from '../support/infra.ts';
import {
  isolatedEnv,
  makeEvents,
  publishRaw,
  startPool,
  waitUntil,
  type RunningPool,
} from './workers-pool.ts';

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

export function describeWorkerPool(transport: TransportName): void {
  describe(`worker pool: ${transport} (real brokers)`, function () {
    this.timeout(90_000);
    const infra = useInfra();
    let env: Record<string, string>;
    let config: Config;
    let sinkRedis: Redis;
    let sink: Sink;
    const pools: RunningPool[] = [];

    const setup = (tag: string, extra: Record<string, string> = {}) => {
      env = {
        ...endpointsToEnv(infra().endpoints),
        ...FAST,
        ...isolatedEnv(`${transport}-${tag}`),
        ...extra,
      };
      config = loadConfig(env);
      sink = createSink(sinkRedis, { namespace: config.sink.namespace });
    };
    const pool = async (size = 2, extra: Record<string, string> = {}) => {
      const p = await startPool({ transport, size, env: { ...env, ...extra } });
      pools.push(p);
      return p;
    };
    const records = async () => (await sink.counts(transport)).records;
    const pending = async () => (await pendingState(transport, config)).pending;
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
      await waitUntil('some progress', async () => (await records()) >= 150, 60_000, 50);
      const victim = (await p.state()).workers.find((w) => w.workerId === '0');
      expect(victim?.pid).to.be.a('number');
      const probe = await inFlightProbe(transport, config, '0');
      process.kill(victim!.pid!, 'SIGKILL');
      const killedAt = Date.now();
      const recoveryMs = await waitUntil(
        "dead worker's events processed again",
        () => probe.settled(),
        60_000,
        100,
      ).then(() => Date.now() - killedAt);
      await probe.close();
      measured[`${transport}.recoveryAfterSigkillMs`] = recoveryMs;
      measured[`${transport}.inFlightAtKill`] = probe.size;
      await waitUntil('1,000 records', async () => (await records()) === 1000, 60_000);
      await waitUntil('nothing pending', async () => (await pending()) === 0, 20_000);
      const counts = await sink.counts(transport);
      expect(counts.effects).to.equal(1000);
      expect(counts.doubleEffects).to.equal(0);
      measured[`${transport}.redeliveredAfterSigkill`] = counts.redelivered;
      // Kafka counts deliveries in-process, so only a kill between sink write and commit shows.
      if (transport !== 'kafka') expect(counts.redelivered).to.be.greaterThan(0);
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
      let dead = await readDeadLetters(transport, config);
      await waitUntil(
        '4 dead letters',
        async () => (dead = await readDeadLetters(transport, config)).length >= 4,
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
      p.child.kill('SIGTERM');
      const exit = await p.exited;
      measured[`${transport}.gracefulStopMs`] = Date.now() - t0;
      expect(exit).to.deep.equal({ code: 0, signal: null });
      const done = await records();
      expect(done).to.be.lessThan(800);
      if (transport !== 'kafka') {
        // Redis/BullMQ: nothing left in flight (Kafka's uncommitted tail shows up as lag).
        const state = await pendingState(transport, config);
        expect(state.pending).to.equal(800 - done);
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

interface InFlightProbe {
  /** How many events the worker held when probed. */
  readonly size: number;
  /** True once every one of them is acknowledged. */
  settled(): Promise<boolean>;
  close(): Promise<void>;
}

/** What worker `workerId` holds right now, and a check that all of it is done. */
async function inFlightProbe(
  transport: TransportName,
  config: Config,
  workerId: string,
): Promise<InFlightProbe> {
  if (transport === 'redis') {
    const redis = createRedisClient(config.redis.url, 'probe', { lazyConnect: true });
    await redis.connect();
    const rows = (await redis.xpending(
      config.redis.stream,
      config.redis.groupName,
      '-',
      '+',
      10_000,
      redisConsumerName(workerId),
    )) as [string][];
    const ids = rows.map(([id]) => id);
    return {
      size: ids.length,
      async settled() {
        const pipeline = redis.pipeline();
        for (const id of ids)
          pipeline.xpending(config.redis.stream, config.redis.groupName, id, id, 1);
        const replies = (await pipeline.exec()) ?? [];
        return replies.every(([err, r]) => !err && (r as unknown[]).length === 0);
      },
      close: () => Promise.resolve(redis.disconnect()),
    };
  }
  if (transport === 'bullmq') {
    const redis = createRedisClient(config.redis.url, 'probe');
    const queue = new Queue(config.bullmq.queue, { connection: redis, skipVersionCheck: true });
    const active = await queue.getActive();
    const ids = active
      .filter((j) => j.processedBy === `${hostname()}-w${workerId}`)
      .map((j) => String(j.id));
    return {
      size: ids.length,
      async settled() {
        const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
        return states.every((s) => s === 'completed');
      },
      close: async () => {
        await queue.close();
        redis.disconnect();
      },
    };
  }
  // Kafka: the partitions the member holds; settled when each one's committed offset moved on.
  const admin = createKafkaClient({ brokers: config.kafka.brokers, clientId: 'probe' }).admin();
  await admin.connect();
  const { groups } = await admin.describeGroups([config.kafka.groupId]);
  const member = groups[0]?.members.find((m) => m.clientId === `workers-${workerId}`);
  const assignment = member
    ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment)
    : null;
  const partitions = assignment?.assignment[config.kafka.topic] ?? [];
  const committed = async () => {
    const [t] = await admin.fetchOffsets({
      groupId: config.kafka.groupId,
      topics: [config.kafka.topic],
    });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  };
  const before = await committed();
  const high = new Map(
    (await admin.fetchTopicOffsets(config.kafka.topic)).map((w) => [w.partition, Number(w.high)]),
  );
  return {
    size: partitions.length,
    async settled() {
      const now = await committed();
      return partitions.every((p) => {
        const at = now.get(p) ?? -1;
        return at > (before.get(p) ?? -1) || at >= (high.get(p) ?? 0);
      });
    },
    close: () => admin.disconnect(),
  };
}
