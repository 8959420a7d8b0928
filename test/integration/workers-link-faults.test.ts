/**
 * Links that stay open but never answer (Toxiproxy `timeout` toxic with timeout 0), and a
 * dead-letter write that fails, on the real servers: a worker must fail such calls as
 * retriable within its bound and resume once the link is back, and must never acknowledge
 * an entry whose dead letter was not written.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../../lib/config.ts';
import { errorMessage, PermanentHandlerError } from '../../lib/errors.ts';
import { createSink, createSinkClient, SinkUnavailableError } from '../../lib/sink.ts';
import { deadLetterStream } from '../../lib/transports/dead-letter-names.ts';
import { classifyFailure } from '../../lib/transports/delivery-policy.ts';
import { boundedCommands, createRedisClient } from '../../lib/transports/redis-client.ts';
import { driverFor, drivers } from '../../lib/transports/registry.ts';
import { endpointsToEnv, type Infra } from '../../harness/infra/index.ts';
import { useInfra } from '../support/infra.ts';
import { proxyControl } from './producer-support.ts';
import { isolatedEnv, makeEvents, publishRaw, startPool, waitUntil } from './workers-pool.ts';

/** The bound the tests give the sink client: short, so a blackhole shows within seconds. */
const SINK_TIMEOUT_MS = 1000;

/** A `timeout` toxic with timeout 0: the link stays open and delivers nothing. */
async function blackhole(infra: Infra, proxy: 'sink-workers' | 'redis-workers') {
  const link = await proxyControl(infra, proxy);
  await link.proxy.addToxic({
    name: 'blackhole',
    type: 'timeout',
    stream: 'downstream',
    toxicity: 1,
    attributes: { timeout: 0 },
  });
  return link;
}

/**
 * Milliseconds `promise` took to settle, and its rejection (undefined if it resolved); a
 * promise still pending after `hungMs` counts as hung (the bug these tests are about).
 */
async function timed(
  promise: Promise<unknown>,
  hungMs = 10_000,
): Promise<{ ms: number; err: unknown }> {
  const start = Date.now();
  const err = await Promise.race([
    promise.then(
      () => undefined,
      (e: unknown) => e ?? new Error('rejected without a reason'),
    ),
    sleep(hungMs).then(() => new Error(`hung: no answer within ${hungMs} ms`)),
  ]);
  return { ms: Date.now() - start, err };
}

describe('workers on links that never answer (real servers, Toxiproxy)', function () {
  this.timeout(120_000);
  const infra = useInfra();
  const env = (tag: string, extra: Record<string, string> = {}) => ({
    ...endpointsToEnv(infra().endpoints),
    ...isolatedEnv(tag),
    SINK_COMMAND_TIMEOUT_MS: String(SINK_TIMEOUT_MS),
    ...extra,
  });
  const heal = async (proxy: 'sink-workers' | 'redis-workers') =>
    (await proxyControl(infra(), proxy)).heal();
  afterEach(async () => {
    await heal('sink-workers');
    await heal('redis-workers');
  });

  it('a blackholed sink fails each write as retriable within its bound, then recovers', async function () {
    const config = loadConfig(env('sink-blackhole'));
    const client = createSinkClient(config, 'sink-blackhole-test');
    const sink = createSink(client, { namespace: config.sink.namespace });
    const write = (id: string) =>
      sink.record({ transport: 'redis', id, workerId: '0', pid: 1, deliveryCount: 1 });
    try {
      // The client connects in the background; writes fail at once until it is ready.
      await waitUntil(
        'the sink client ready',
        async () => (await timed(write('before'))).err === undefined,
        10_000,
      );
      await blackhole(infra(), 'sink-workers');
      for (const id of ['during-1', 'during-2']) {
        const { ms, err } = await timed(write(id));
        expect(err, `${id} must fail, not hang`).to.be.instanceOf(SinkUnavailableError);
        expect(classifyFailure(err)).to.equal('retriable');
        expect(ms).to.be.below(SINK_TIMEOUT_MS + 1500);
      }
      await heal('sink-workers');
      await waitUntil(
        'the sink answering again',
        async () => (await timed(write('after'))).err === undefined,
        15_000,
      );
    } finally {
      client.disconnect();
    }
  });

  it('the broker Redis bound cuts a silent command but never a blocking read within its block', async function () {
    const url = infra().endpoints.redis.workers;
    const blockMs = 1500;
    const reader = createRedisClient(url, 'bounded-reader-test', {
      lazyConnect: true,
      ...boundedCommands(500, blockMs),
    });
    const cmd = createRedisClient(url, 'bounded-cmd-test', {
      lazyConnect: true,
      ...boundedCommands(500),
    });
    try {
      await Promise.all([reader.connect(), cmd.connect()]);
      // A read that blocks 1.5 s on an idle stream ends with its empty reply, not a timeout.
      const read = await timed(reader.xread('BLOCK', blockMs, 'STREAMS', 'no-such-stream', '$'));
      expect(read.err, errorMessage(read.err)).to.equal(undefined);
      expect(read.ms).to.be.at.least(blockMs - 100);
      await blackhole(infra(), 'redis-workers');
      const ping = await timed(cmd.ping());
      expect(errorMessage(ping.err)).to.match(/timed out|timeout/i);
      expect(ping.ms).to.be.below(2000);
      const stuckRead = await timed(
        reader.xread('BLOCK', blockMs, 'STREAMS', 'no-such-stream', '$'),
      );
      expect(stuckRead.err, 'a blackholed blocking read fails').to.not.equal(undefined);
      expect(stuckRead.ms).to.be.below(blockMs + 500 + 1500);
    } finally {
      reader.disconnect();
      cmd.disconnect();
    }
  });

  for (const driver of drivers) {
    it(`${driver.name}: a pool whose sink link blackholes for 4 s retries, then processes everything`, async function () {
      const poolEnv = env(`${driver.name}-sink-stall`, {
        LOG_LEVEL: 'debug',
        KAFKA_PARTITIONS: '4',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        KAFKA_HEARTBEAT_INTERVAL_MS: '500',
        REDIS_CLAIM_IDLE_MS: '2000',
        REDIS_CLAIM_INTERVAL_MS: '500',
        REDIS_BLOCK_MS: '500',
        BULLMQ_LOCK_DURATION_MS: '3000',
        BULLMQ_STALLED_INTERVAL_MS: '1000',
        WORKER_RETRY_BACKOFF_MS: '50',
        WORK_TIME_MS: '10',
        WORKER_CONCURRENCY: '4',
      });
      const config = loadConfig(poolEnv);
      const sinkRedis = createRedisClient(infra().endpoints.sink.direct, 'sink-stall-test', {
        lazyConnect: true,
      });
      await sinkRedis.connect();
      const sink = createSink(sinkRedis, { namespace: config.sink.namespace });
      const records = async () => (await sink.counts(driver.name)).records;
      const inspector = driver.inspect(config);
      await publishRaw(driver.name, config, makeEvents(200));
      const pool = await startPool({ transport: driver.name, size: 2, env: poolEnv });
      try {
        await waitUntil('some progress', async () => (await records()) >= 20, 60_000, 50);
        await publishRaw(driver.name, config, makeEvents(200));
        await blackhole(infra(), 'sink-workers');
        const from = pool.logLines().length;
        await sleep(4000);
        const retriable = pool
          .logLines()
          .slice(from)
          .filter(
            (l) =>
              l.msg === 'delivery failed; retrying' &&
              l.failure === 'retriable' &&
              /timed out/.test(String(l.err)),
          );
        await heal('sink-workers');
        expect(retriable.length, 'sink calls failed with a retriable timeout').to.be.greaterThan(0);
        await waitUntil('400 records', async () => (await records()) === 400, 60_000);
        await waitUntil(
          'nothing pending',
          async () => (await inspector.pending()).pending === 0,
          30_000,
        );
        expect(await sink.counts(driver.name)).to.include({ effects: 400, doubleEffects: 0 });
        expect(await inspector.deadLetters()).to.deep.equal([]);
      } finally {
        await pool.stop();
        sinkRedis.disconnect();
      }
    });
  }
});

describe('redis dead letters that cannot be written (real Redis)', function () {
  this.timeout(60_000);
  const infra = useInfra();
  let direct: Redis;

  before(async function () {
    direct = createRedisClient(infra().endpoints.redis.direct, 'dlq-test', { lazyConnect: true });
    await direct.connect();
  });
  after(() => direct?.disconnect());

  it('a failed dead-letter XADD leaves the entry pending, never acknowledged', async function () {
    const config = loadConfig({
      ...endpointsToEnv(infra().endpoints),
      ...isolatedEnv('redis-dlq-wrongtype'),
      LOG_LEVEL: 'silent',
      MAX_DELIVERIES: '1',
      REDIS_CLAIM_IDLE_MS: '100',
      REDIS_CLAIM_INTERVAL_MS: '100',
      REDIS_BLOCK_MS: '100',
    });
    const { stream, groupName } = config.redis;
    const dlq = deadLetterStream(stream);
    // A key of the wrong type where the dead letters go: XADD answers WRONGTYPE.
    await direct.set(dlq, 'not a stream');
    const [poison] = makeEvents(1);
    await publishRaw('redis', config, [poison!]);
    const driver = driverFor('redis');
    let calls = 0;
    const consumer = driver.createConsumer(
      config,
      () => {
        calls += 1;
        return Promise.reject(new PermanentHandlerError('poison'));
      },
      { workerId: 'dlq-wrongtype', logger: pino({ level: 'silent' }) },
    );
    const deliveries = async () => {
      const rows = (await direct.xpending(stream, groupName, '-', '+', 10)) as [
        string,
        string,
        number,
        number,
      ][];
      return rows.map((r) => r[3]);
    };
    await consumer.start();
    try {
      // Dead-lettered (MAX_DELIVERIES=1) on every delivery, and each time the XADD fails.
      await waitUntil('a first delivery', () => calls >= 1, 20_000, 20);
      await waitUntil(
        'three deliveries, or the entry acknowledged',
        async () => calls >= 3 || (await deliveries()).length === 0,
        20_000,
        20,
      );
      expect(await deliveries(), 'still pending, not acknowledged').to.have.length(1);
      expect(await direct.type(dlq)).to.equal('string');
      // Once dead letters can be written again, the next delivery writes one, then acks.
      await direct.del(dlq);
      await waitUntil('acknowledged', async () => (await deliveries()).length === 0, 20_000, 50);
      const dead = await driver.inspect(config).deadLetters();
      expect(dead.map((d) => d.id)).to.deep.equal([poison!.id]);
    } finally {
      await consumer.drain();
      await driver.inspect(config).removeAll();
    }
  });
});
