import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { createSink, type Sink } from '../../lib/sink.ts';
import { createRedisClient } from '../../lib/transports/redis-client.ts';
import { useInfra } from '../support/infra.ts';

describe('sink ledger (real Redis)', function () {
  const infra = useInfra();
  let redis: Redis;
  let sink: Sink;

  before(async function () {
    redis = createRedisClient(infra().endpoints.sink.direct, 'sink-test', { lazyConnect: true });
    await redis.connect();
    sink = createSink(redis, {
      namespace: `sink-test-${randomBytes(3).toString('hex')}`,
      scanCount: 100,
    });
  });
  after(() => redis?.disconnect());

  it('applies the effect once and counts every delivery', async function () {
    const base = { transport: 'redis' as const, id: 'a', workerId: '1', pid: 11 };
    expect(await sink.record({ ...base, deliveryCount: 1, nowMs: 1000 })).to.deep.equal({
      applied: true,
      deliveries: 1,
      effects: 1,
    });
    expect(
      await sink.record({ ...base, workerId: '2', pid: 22, deliveryCount: 1, nowMs: 2000 }),
    ).to.deep.equal({
      applied: false,
      deliveries: 2,
      effects: 1,
    });
    // The transport's own count wins when it is higher (a delivery that failed before the sink).
    expect((await sink.record({ ...base, deliveryCount: 5 })).deliveries).to.equal(5);
    const rec = (await sink.get('redis', ['a', 'missing'])).get('a');
    expect(rec).to.deep.equal({
      id: 'a',
      firstEffectMs: 1000,
      workerId: '1',
      pid: 11,
      deliveries: 5,
      effects: 1,
    });
    expect(await sink.counts('redis')).to.deep.equal({
      records: 1,
      deliveries: 5,
      effects: 1,
      redelivered: 1,
      doubleEffects: 0,
    });
    expect(await sink.counts('kafka')).to.deep.equal({
      records: 0,
      deliveries: 0,
      effects: 0,
      redelivered: 0,
      doubleEffects: 0,
    });
  });

  it('scans every record in pages', async function () {
    const n = 2500;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        sink.record({
          transport: 'bullmq',
          id: `id-${i}`,
          workerId: '0',
          pid: 1,
          deliveryCount: 1,
        }),
      ),
    );
    const seen = new Set<string>();
    let pages = 0;
    for await (const page of sink.scan('bullmq')) {
      pages += 1;
      for (const r of page) seen.add(r.id);
    }
    expect(seen.size).to.equal(n);
    expect(pages).to.be.greaterThan(1);
    await sink.clear('bullmq');
    expect((await sink.counts('bullmq')).records).to.equal(0);
  });
});
