import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { errorMessage } from '../../lib/errors.ts';
import { createSink, SinkUnavailableError, type Sink } from '../../lib/sink.ts';
import { classifyFailure } from '../../lib/transports/delivery-policy.ts';
import { createRedisClient } from '../../lib/transports/redis-client.ts';
import { useInfra } from '../support/infra.ts';

/** Pids of the children of `pid`, read from /proc (Linux). */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may hold spaces, so read after its closing paren.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

async function persistence(redis: Redis): Promise<Record<string, string>> {
  const info = await redis.info('persistence');
  return Object.fromEntries(
    info
      .split('\r\n')
      .filter((l) => l.includes(':'))
      .map((l) => l.split(':') as [string, string]),
  );
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Makes the real sink Redis refuse writes with MISCONF the way a failing disk does: with a
 * save point set and `stop-writes-on-bgsave-error yes`, a snapshot whose child dies (here:
 * SIGKILL, slowed down so it can be caught) leaves `rdb_last_bgsave_status:err`. Returns the
 * undo: a good snapshot clears the error, then the settings are put back. Needs the server
 * on this host (its child is found in /proc).
 */
async function breakPersistence(redis: Redis, key: string): Promise<() => Promise<void>> {
  const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  if (!existsSync(`/proc/${pid}/stat`)) throw new Error(`sink Redis (pid ${pid}) is not local`);
  const [, save = ''] = await redis.config('GET', 'save');
  const [, stopWrites = 'yes'] = await redis.config('GET', 'stop-writes-on-bgsave-error');
  const restore = async () => {
    await redis.config('SET', 'rdb-key-save-delay', '0');
    await until(
      'no snapshot running',
      async () => (await persistence(redis)).rdb_bgsave_in_progress === '0',
    );
    await redis.bgsave();
    await until('a good snapshot', async () => {
      const p = await persistence(redis);
      return p.rdb_bgsave_in_progress === '0' && p.rdb_last_bgsave_status === 'ok';
    });
    await redis.config('SET', 'save', save);
    await redis.config('SET', 'stop-writes-on-bgsave-error', stopWrites);
  };
  try {
    await redis.set(key, 'one key, so the slowed snapshot takes a while');
    await redis.config('SET', 'save', '3600 1');
    await redis.config('SET', 'stop-writes-on-bgsave-error', 'yes');
    await redis.config('SET', 'rdb-key-save-delay', '1000000');
    await redis.bgsave('SCHEDULE');
    let child: number | undefined;
    await until('the snapshot child', () => (child = childPids(pid)[0]) !== undefined);
    process.kill(child as number, 'SIGKILL');
    await until('the failed snapshot', async () => {
      const p = await persistence(redis);
      return p.rdb_bgsave_in_progress === '0' && p.rdb_last_bgsave_status === 'err';
    });
  } catch (err) {
    await restore();
    throw err;
  }
  return restore;
}

describe('sink ledger (real Redis)', function () {
  const infra = useInfra();
  let redis: Redis;
  let sink: Sink;
  let namespace: string;

  before(async function () {
    redis = createRedisClient(infra().endpoints.sink.direct, 'sink-test', { lazyConnect: true });
    await redis.connect();
    namespace = `sink-test-${randomBytes(3).toString('hex')}`;
    sink = createSink(redis, {
      namespace,
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

  it('a server that cannot persist (MISCONF) fails the write as retriable; it never counts', async function () {
    this.timeout(60_000);
    const base = { transport: 'kafka' as const, workerId: '0', pid: 1, deliveryCount: 1 };
    let restore: () => Promise<void>;
    try {
      restore = await breakPersistence(redis, `misconf-${randomBytes(3).toString('hex')}`);
    } catch (err) {
      process.stderr.write(
        `      skipped: cannot break the sink's persistence (${errorMessage(err)})\n`,
      );
      return this.skip();
    }
    let failure: unknown;
    try {
      failure = await sink.record({ ...base, id: 'misconf' }).then(
        () => expect.fail('the write succeeded on a server that cannot persist'),
        (err: unknown) => err,
      );
    } finally {
      await restore();
    }
    expect(errorMessage(failure)).to.match(/MISCONF/);
    expect(failure).to.be.instanceOf(SinkUnavailableError);
    expect(classifyFailure(failure)).to.equal('retriable');
    // Once the server persists again the same write goes through.
    expect((await sink.record({ ...base, id: 'misconf' })).applied).to.equal(true);
  });

  it('keeps the position, a per-key effect sequence and the intervals of repeated deliveries', async function () {
    const t = 'kafka' as const;
    const at = (offset: number) => ({ shard: '3', at: [offset, 0] as const });
    const one = (id: string, key: string | undefined, offset: number, startMs: number) =>
      sink.record({
        transport: t,
        id,
        workerId: '1',
        pid: 11,
        deliveryCount: 1,
        startMs,
        nowMs: startMs + 5,
        position: at(offset),
        ...(key !== undefined ? { key } : {}),
      });
    await one('o-1', 'order-7', 10, 1000);
    await one('o-2', 'order-7', 12, 1010);
    await one('x-1', 'other', 11, 1005);
    await one('n-1', undefined, 13, 1020);
    // A zombie's late delivery of o-1, and one more: intervals of the id's later deliveries.
    await sink.record({
      transport: t,
      id: 'o-1',
      workerId: '2',
      pid: 22,
      deliveryCount: 2,
      startMs: 990,
      nowMs: 1030,
    });
    await sink.record({
      transport: t,
      id: 'o-1',
      workerId: '1',
      pid: 11,
      deliveryCount: 3,
      startMs: 2000,
      nowMs: 2004,
    });
    const recs = await sink.get(t, ['o-1', 'o-2', 'x-1', 'n-1']);
    expect(recs.get('o-1')).to.deep.equal({
      id: 'o-1',
      firstEffectMs: 1005,
      workerId: '1',
      pid: 11,
      deliveries: 3,
      effects: 1,
      startMs: 1000,
      position: '3@10-0',
      keySeq: 1,
      intervals: [
        { startMs: 990, endMs: 1030, workerId: '2', pid: 22 },
        { startMs: 2000, endMs: 2004, workerId: '1', pid: 11 },
      ],
    });
    expect(recs.get('o-2')?.keySeq).to.equal(2);
    expect(recs.get('x-1')?.keySeq).to.equal(1);
    expect(recs.get('n-1')).to.not.have.property('keySeq');
    expect(recs.get('n-1')).to.not.have.property('intervals');
    expect(recs.get('n-1')?.position).to.equal('3@13-0');
    const scanned = new Map<string, unknown>();
    for await (const page of sink.scan(t)) for (const r of page) scanned.set(r.id, r);
    expect(scanned.get('o-1')).to.deep.equal(recs.get('o-1'));
    // Only ids delivered more than once have an intervals field; only keys have a sequence.
    expect(await redis.hkeys(`${namespace}:${t}:intervals`)).to.deep.equal(['o-1']);
    expect((await redis.hkeys(`${namespace}:${t}:keyseq`)).sort()).to.deep.equal([
      'order-7',
      'other',
    ]);
    await sink.clear(t);
    expect((await sink.get(t, ['o-1'])).size).to.equal(0);
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
