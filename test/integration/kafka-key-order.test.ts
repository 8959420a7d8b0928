import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../lib/config.ts';
import type { EventEnvelope } from '../../lib/envelope.ts';
import { createSink, type SinkRecord } from '../../lib/sink.ts';
import { parsePosition } from '../../lib/transports/position.ts';
import { createRedisClient } from '../../lib/transports/redis-client.ts';
import { endpointsToEnv } from '../../harness/infra/index.ts';
import { useInfra } from '../support/infra.ts';
import { isolatedEnv, publishRaw, startPool, waitUntil } from './workers-pool.ts';

const KEYS = 20;
const PER_KEY = 25;

/** KEYS x PER_KEY keyed events, each key's in order, interleaved as many clients send them. */
function keyedEvents(prefix: string): EventEnvelope[] {
  const producedAt = new Date().toISOString();
  return Array.from({ length: KEYS * PER_KEY }, (_, i) => ({
    id: `${prefix}-${i}`,
    type: 'test.keyed',
    key: `${prefix}-k${i % KEYS}`,
    payload: { i },
    producedAt,
  }));
}

/** Events applied after a later one of their key, in offset order (keys never change partition). */
function inversions(records: readonly SinkRecord[]): number {
  const byKey = new Map<string, { offset: number; seq: number }[]>();
  for (const r of records) {
    const at = parsePosition(r.position);
    if (!at || r.keySeq === undefined) continue;
    const key = `${at.shard}/${Number(r.id.split('-').at(-1)) % KEYS}`;
    byKey.set(key, [...(byKey.get(key) ?? []), { offset: at.at[0], seq: r.keySeq }]);
  }
  let count = 0;
  for (const events of byKey.values()) {
    events.sort((a, b) => a.offset - b.offset);
    let highest = 0;
    for (const e of events) {
      if (e.seq < highest) count += 1;
      highest = Math.max(highest, e.seq);
    }
  }
  return count;
}

/**
 * Key-ordered processing on a real Kafka: a backlog where every batch holds several events
 * of each key, handled with jittered work by two workers. Each key must be applied in log
 * order; the failpoint `unordered` (today's chunk loop) shows the same setup can break it.
 */
describe('kafka workers: per-key order (real Kafka)', function () {
  this.timeout(120_000);
  const infra = useInfra();
  let sinkRedis: Redis;

  before(async function () {
    sinkRedis = createRedisClient(infra().endpoints.sink.direct, 'key-order-test', {
      lazyConnect: true,
    });
    await sinkRedis.connect();
  });
  after(() => sinkRedis?.disconnect());

  async function drainBacklog(failpoints: string): Promise<SinkRecord[]> {
    const tag = `order-${failpoints || 'safe'}-${randomBytes(2).toString('hex')}`;
    const env = {
      ...endpointsToEnv(infra().endpoints),
      ...isolatedEnv(tag),
      KAFKA_PARTITIONS: '4',
      WORK_TIME_MS: '2',
      WORK_TIME_JITTER_MS: '15',
      WORKER_CONCURRENCY: '16',
      FAILPOINTS: failpoints,
    };
    const config = loadConfig(env);
    const events = keyedEvents(tag);
    await publishRaw('kafka', config, events);
    const sink = createSink(sinkRedis, { namespace: config.sink.namespace });
    const pool = await startPool({ transport: 'kafka', size: 2, env });
    try {
      await waitUntil(
        'every event applied',
        async () => (await sink.counts('kafka')).records === events.length,
        90_000,
      );
    } finally {
      await pool.stop();
    }
    const records: SinkRecord[] = [];
    for await (const page of sink.scan('kafka')) records.push(...page);
    await sink.clear('kafka');
    return records;
  }

  it('applies every key in log order, different keys side by side', async function () {
    const records = await drainBacklog('');
    expect(records).to.have.length(KEYS * PER_KEY);
    expect(records.every((r) => r.position && r.keySeq !== undefined)).to.equal(true);
    expect(inversions(records)).to.equal(0);
    // Keys ran side by side: some effects of different keys overlap in time.
    const spans = records.map((r) => [r.startMs ?? 0, r.firstEffectMs] as const);
    spans.sort((a, b) => a[0] - b[0]);
    const overlapping = spans.filter(
      (s, i) => i > 0 && s[0] < (spans[i - 1] as readonly number[])[1]!,
    );
    expect(overlapping.length).to.be.greaterThan(0);
  });

  it('with the failpoint unordered, the same backlog is applied out of order', async function () {
    expect(inversions(await drainBacklog('unordered'))).to.be.greaterThan(0);
  });
});
