import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { Toxiproxy } from 'toxiproxy-node-client';
import { loadConfig } from '../../lib/config.ts';
import { startInfra } from '../../harness/infra/index.ts';
import { kafkaRoundTrip, redisRoundTrip } from '../../harness/infra/round-trip.ts';
import { useInfra } from '../support/infra.ts';
import { isAlive, waitForExit } from '../support/processes.ts';

describe('infrastructure (real Kafka, Redis and Toxiproxy)', function () {
  const infra = useInfra();

  describe('round trips through every proxy', function () {
    it('kafkajs through kafka-producer', async function () {
      expect(await kafkaRoundTrip(infra().endpoints.kafka.producer)).to.be.a('number');
    });
    it('kafkajs through kafka-workers', async function () {
      expect(await kafkaRoundTrip(infra().endpoints.kafka.workers)).to.be.a('number');
    });
    for (const link of ['redis-producer', 'redis-workers', 'sink-workers'] as const) {
      it(`ioredis through ${link}`, async function () {
        const e = infra().endpoints;
        const url = {
          'redis-producer': e.redis.producer,
          'redis-workers': e.redis.workers,
          'sink-workers': e.sink.workers,
        }[link];
        expect(await redisRoundTrip(url)).to.be.a('number');
      });
    }
  });

  describe('faults bite', function () {
    it('a disabled kafka-workers proxy starves a consumer, which catches up once re-enabled', async function () {
      this.timeout(120000);
      const { endpoints } = infra();
      const topic = `infra-fault-${randomUUID()}`;
      const errors: string[] = [];
      const direct = new Kafka({ brokers: [endpoints.kafka.direct], logLevel: logLevel.NOTHING });
      const viaProxy = new Kafka({
        brokers: [endpoints.kafka.workers],
        retry: { retries: 2, initialRetryTime: 100 },
        requestTimeout: 2000,
        connectionTimeout: 1000,
        logLevel: logLevel.ERROR,
        logCreator: () => (entry) => errors.push(entry.log.message),
      });
      const admin = direct.admin();
      const producer = direct.producer();
      const consumer = viaProxy.consumer({
        groupId: `g-${topic}`,
        sessionTimeout: 6000,
        heartbeatInterval: 500,
      });
      const received = new Set<string>();
      const proxy = await new Toxiproxy(endpoints.toxiproxy.url).get('kafka-workers');
      try {
        await admin.connect();
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
        await producer.connect();
        await producer.send({ topic, acks: -1, messages: [{ value: 'before' }] });
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: ({ message }) => {
            received.add(String(message.value));
            return Promise.resolve();
          },
        });
        await until(() => received.has('before'), 30000);

        await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
        await producer.send({
          topic,
          acks: -1,
          messages: ['m1', 'm2', 'm3'].map((value) => ({ value })),
        });
        await new Promise((r) => setTimeout(r, 4000));
        expect([...received]).to.deep.equal(['before'], 'nothing arrives while the link is down');
        expect(errors.length, 'the client reports errors while the link is down').to.be.greaterThan(
          0,
        );

        await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
        await until(() => ['m1', 'm2', 'm3'].every((m) => received.has(m)), 60000);
      } finally {
        await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
        await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
        await admin.disconnect();
      }
    });

    it('a 200 ms latency toxic makes a Redis round trip take at least 200 ms', async function () {
      const { endpoints } = infra();
      const proxy = await new Toxiproxy(endpoints.toxiproxy.url).get('redis-workers');
      await proxy.addToxic({
        name: 'slow',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 200, jitter: 0 },
      });
      try {
        expect(await redisRoundTrip(endpoints.redis.workers)).to.be.at.least(200);
      } finally {
        await (await proxy.getToxic('slow')).remove();
      }
      expect(await redisRoundTrip(endpoints.redis.workers)).to.be.below(200);
    });
  });

  describe('lifecycle of a second, private infrastructure', function () {
    it('stop() leaves no spawned process behind', async function () {
      this.timeout(120000);
      const own = await startInfra(loadConfig());
      const pids = own.pids();
      expect(pids).to.have.length(4);
      expect(pids.every(isAlive)).to.equal(true);
      await own.stop();
      expect(await waitForExit(pids, 5000)).to.deep.equal([]);
    });

    it('a second start uses the cache, and servers die with a SIGKILLed parent', async function () {
      this.timeout(120000);
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/start-infra.ts'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
      });
      const report = JSON.parse(line) as { pids: number[]; log: string[]; startMs: number };
      expect(
        report.log.filter((l) => /fetching|building/.test(l)),
        'no download on a warm cache',
      ).to.deep.equal([]);
      process.stderr.write(`      warm start: ${report.startMs} ms\n`);
      expect(report.pids).to.have.length(4);
      child.kill('SIGKILL');
      expect(await waitForExit(report.pids, 10000), 'orphans left').to.deep.equal([]);
    });
  });
});

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
