import { expect } from 'chai';
import type { TransportName } from '../../lib/envelope.ts';
import type { SinkRecord } from '../../lib/sink.ts';
import { check, type CheckInput } from '../../harness/checker/index.ts';
import { overlaps } from '../../harness/checker/rules/concurrent.ts';
import type { HistoryEntry } from '../../harness/history.ts';

const T0 = 1_000_000_000_000;

/** Keyed sends: each `send` is invoke + ok, either back to back or overlapping the next. */
class Sends {
  entries: HistoryEntry[] = [];
  private proc = 0;
  constructor(readonly transport: TransportName = 'kafka') {}
  /** One event with `key`, invoked at `invokeMs`, acknowledged at `okMs`. */
  send(id: string, key: string | undefined, invokeMs: number, okMs: number): this {
    const process = this.proc++;
    const base = { process, transport: this.transport, ids: [id] };
    this.entries.push({
      type: 'invoke',
      ...base,
      ...(key !== undefined ? { keys: [key] } : {}),
      time: invokeMs,
      wall: T0 + invokeMs,
    });
    this.entries.push({ type: 'ok', ...base, time: okMs, wall: T0 + okMs });
    this.entries.sort((a, b) => a.time - b.time);
    return this;
  }
  fault(fault: string, startMs: number, healMs: number): this {
    this.entries.push({ type: 'fault', phase: 'start', fault, time: startMs, wall: T0 + startMs });
    this.entries.push({ type: 'fault', phase: 'heal', fault, time: healMs, wall: T0 + healMs });
    this.entries.sort((a, b) => a.time - b.time);
    return this;
  }
}

type Row = Partial<Omit<SinkRecord, 'id'>>;
const row = (id: string, r: Row): SinkRecord => ({
  id,
  firstEffectMs: T0 + 1000,
  workerId: '1',
  pid: 11,
  deliveries: 1,
  effects: 1,
  ...r,
});

function run(sends: Sends, rows: Record<string, Row>, more: Partial<CheckInput> = {}) {
  const t = sends.transport;
  return check({
    history: sends.entries,
    sink: { [t]: new Map(Object.entries(rows).map(([id, r]) => [id, row(id, r)])) },
    pending: { [t]: { transport: t, pending: 0, detail: {} } },
    deadLetters: { [t]: [] },
    ...more,
  });
}

/** Sequential sends of key k: e1, e2, e3, each after the previous ok. */
const sequential = (transport: TransportName = 'kafka') =>
  new Sends(transport).send('e1', 'k', 0, 10).send('e2', 'k', 20, 30).send('e3', 'k', 40, 50);

describe('checker: order (per key, first effects follow broker order)', function () {
  it('is valid when each key was applied in log order, whatever the other keys did', function () {
    const s = sequential().send('x1', 'other', 5, 15).send('n1', undefined, 6, 16);
    const r = run(s, {
      e1: { position: '0@10-0', keySeq: 1 },
      e2: { position: '0@12-0', keySeq: 2 },
      e3: { position: '0@13-0', keySeq: 3 },
      x1: { position: '1@4-0', keySeq: 1 },
      n1: { position: '0@11-0' },
    });
    expect(r.valid, JSON.stringify(r.unknownReasons)).to.equal(true);
    expect(r.perTransport.kafka).to.include({ orderInversions: 0, nonmonotonicSends: 0 });
  });

  it('names an inversion on a transport that promises per-key order (Kafka)', function () {
    const r = run(sequential(), {
      e1: { position: '0@10-0', keySeq: 1 },
      e2: { position: '0@12-0', keySeq: 3 },
      e3: { position: '0@13-0', keySeq: 2 },
    });
    expect(r.valid).to.equal(false);
    expect(r.anomalies).to.deep.equal(['order']);
    expect(r.perTransport.kafka!.orderInversions).to.equal(1);
    expect(r.samples['kafka/order']).to.deep.equal(['e3']);
  });

  it('counts every event applied after a later one of its key', function () {
    const r = run(sequential(), {
      e1: { position: '0@10-0', keySeq: 3 },
      e2: { position: '0@12-0', keySeq: 1 },
      e3: { position: '0@13-0', keySeq: 2 },
    });
    expect(r.perTransport.kafka!.orderInversions).to.equal(2);
  });

  it('only reports inversions where the transport promises no order (Redis, BullMQ)', function () {
    for (const t of ['redis', 'bullmq'] as const) {
      const r = run(sequential(t), {
        e1: { position: '@1000-0', keySeq: 2 },
        e2: { position: '@1001-0', keySeq: 1 },
        e3: { position: '@1002-0', keySeq: 3 },
      });
      expect(r.valid, t).to.equal(true);
      expect(r.anomalies).to.deep.equal([]);
      expect(r.perTransport[t]!.orderInversions).to.equal(1);
      expect(r.samples[`${t}/order`]).to.deep.equal(['e2']);
    }
    // The promise can be given explicitly, whatever the driver says.
    const judged = run(
      sequential('redis'),
      {
        e1: { position: '@1000-0', keySeq: 2 },
        e2: { position: '@1001-0', keySeq: 1 },
        e3: { position: '@1002-0', keySeq: 3 },
      },
      { perKeyOrder: { redis: true } },
    );
    expect(judged.anomalies).to.deep.equal(['order']);
  });

  it('does not order events of other shards, level positions or without a sequence', function () {
    const r = run(sequential(), {
      // Another partition: no order between them.
      e1: { position: '1@50-0', keySeq: 2 },
      e2: { position: '0@12-0', keySeq: 1 },
      // Level with e2 (BullMQ jobs of one millisecond): no order either.
      e3: { position: '0@12-0', keySeq: 0 },
    });
    expect(r.perTransport.kafka!.orderInversions).to.equal(0);
    expect(r.anomalies).to.not.include('order');
    const unapplied = run(sequential(), {
      e1: { position: '0@10-0', keySeq: 2 },
      e2: { position: '0@12-0', keySeq: 1, effects: 0 },
      e3: { position: '0@13-0' },
    });
    expect(unapplied.perTransport.kafka!.orderInversions).to.equal(0);
  });
});

describe('checker: nonmonotonic-send (a key sent one after another is stored in order)', function () {
  it('names an event stored before one acknowledged before it was sent', function () {
    const r = run(sequential(), {
      e1: { position: '0@10-0', keySeq: 1 },
      e2: { position: '0@9-0', keySeq: 2 },
      e3: { position: '0@13-0', keySeq: 3 },
    });
    expect(r.anomalies).to.include('nonmonotonic-send');
    expect(r.perTransport.kafka!.nonmonotonicSends).to.equal(1);
    expect(r.samples['kafka/nonmonotonic-send']).to.deep.equal(['e2']);
  });

  it('breaks the run on every transport, and for a key moved to another shard', function () {
    const r = run(sequential('redis'), {
      e1: { position: '@1005-0' },
      e2: { position: '@1004-7' },
      e3: { position: '@1006-0' },
    });
    expect(r.valid).to.equal(false);
    expect(r.anomalies).to.deep.equal(['nonmonotonic-send']);
    const moved = run(sequential(), {
      e1: { position: '0@10-0' },
      e2: { position: '1@11-0' },
      e3: { position: '1@12-0' },
    });
    expect(moved.perTransport.kafka!.nonmonotonicSends).to.equal(2);
  });

  it('does not order sends that overlapped, nor positions level with the earlier one', function () {
    // e2 was sent before e1's 202: the broker may store them either way.
    const s = new Sends().send('e1', 'k', 0, 30).send('e2', 'k', 10, 40);
    const r = run(s, { e1: { position: '0@10-0' }, e2: { position: '0@9-0' } });
    expect(r.perTransport.kafka!.nonmonotonicSends).to.equal(0);
    const level = run(sequential('bullmq'), {
      e1: { position: '@1000-0' },
      e2: { position: '@1000-0' },
      e3: { position: '@1001-0' },
    });
    expect(level.perTransport.bullmq!.nonmonotonicSends).to.equal(0);
    expect(level.valid).to.equal(true);
  });
});

describe('checker: concurrent (two deliveries of one event at the same time)', function () {
  const twice = (secondStart: number, secondEnd: number): Row => ({
    deliveries: 2,
    startMs: T0 + 900,
    firstEffectMs: T0 + 1000,
    intervals: [{ startMs: T0 + secondStart, endMs: T0 + secondEnd, workerId: '2', pid: 22 }],
  });
  const sends = () => new Sends().send('a', undefined, 0, 10).send('b', undefined, 0, 10);

  it('names overlapping deliveries when no fault of the run allows zombies', function () {
    const r = run(sends(), { a: twice(950, 1100), b: twice(1000, 1050) });
    expect(r.valid).to.equal(false);
    expect(r.anomalies).to.deep.equal(['concurrent']);
    expect(r.perTransport.kafka!.concurrentDeliveries).to.equal(1);
    expect(r.samples['kafka/concurrent']).to.deep.equal(['a']);
  });

  it('reports them without judging where a pause or a partition made zombies', function () {
    for (const fault of ['pause-worker', 'proxy-down']) {
      const r = run(sends().fault(fault, 100, 900), { a: twice(950, 1100), b: {} });
      expect(r.valid, fault).to.equal(true);
      expect(r.perTransport.kafka!.concurrentDeliveries).to.equal(1);
      expect(r.samples['kafka/concurrent']).to.deep.equal(['a']);
    }
    // Other faults do not excuse them; a scenario may name more kinds that do.
    const killed = sends().fault('kill-worker', 100, 100);
    expect(run(killed, { a: twice(950, 1100), b: {} }).anomalies).to.deep.equal(['concurrent']);
    const named = run(killed, { a: twice(950, 1100), b: {} }, { zombieFaults: ['kill-worker'] });
    expect(named.valid).to.equal(true);
  });

  it('sees an overlap in any two of many intervals, and none in back-to-back ones', function () {
    const i = (startMs: number, endMs: number) => ({ startMs, endMs, workerId: 'w', pid: 1 });
    expect(overlaps([i(0, 10), i(10, 20), i(20, 30)])).to.equal(false);
    expect(overlaps([i(40, 50), i(0, 100), i(200, 300)])).to.equal(true);
    expect(overlaps([i(0, 5), i(30, 40), i(6, 31)])).to.equal(true);
    expect(overlaps([i(0, 5)])).to.equal(false);
  });
});
