import { expect } from 'chai';
import type { EventEnvelope } from '../../lib/envelope.ts';
import type { RecordInput, Sink } from '../../lib/sink.ts';
import { deliveryIntervals, parseSinkValue } from '../../lib/sink.ts';
import { parseIntervals } from '../../lib/sink-record.ts';
import { entryPosition } from '../../lib/transports/redis/entry-handler.ts';
import { comparePositions, formatPosition, parsePosition } from '../../lib/transports/position.ts';
import { createHandler } from '../../workers/handler.ts';

describe('sink rows: positions, key sequences, intervals', function () {
  it('reads the extended ledger value, and the old one as it was', function () {
    expect(parseSinkValue('a', '1700000000500|3|4242|2|1|1700000000400|3@17-0|4')).to.deep.equal({
      id: 'a',
      firstEffectMs: 1700000000500,
      workerId: '3',
      pid: 4242,
      deliveries: 2,
      effects: 1,
      startMs: 1700000000400,
      position: '3@17-0',
      keySeq: 4,
    });
    expect(parseSinkValue('b', '1|3|4|1|1|||')).to.deep.equal({
      id: 'b',
      firstEffectMs: 1,
      workerId: '3',
      pid: 4,
      deliveries: 1,
      effects: 1,
    });
  });

  it('lists every recorded delivery with its interval, the first one first', function () {
    const rec = {
      ...parseSinkValue('a', '200|1|11|3|1|100||'),
      intervals: parseIntervals('150,260,2,22;300,310,1,11'),
    };
    expect(deliveryIntervals(rec)).to.deep.equal([
      { startMs: 100, endMs: 200, workerId: '1', pid: 11 },
      { startMs: 150, endMs: 260, workerId: '2', pid: 22 },
      { startMs: 300, endMs: 310, workerId: '1', pid: 11 },
    ]);
    expect(deliveryIntervals(parseSinkValue('b', '200|1|11|1|1'))).to.deep.equal([]);
  });

  it('positions round-trip and compare within a shard only', function () {
    const p = { shard: '2', at: [41, 0] as const };
    expect(parsePosition(formatPosition(p))).to.deep.equal(p);
    expect(parsePosition('@1700000000000-5')).to.deep.equal({ shard: '', at: [1700000000000, 5] });
    expect(parsePosition('garbage')).to.equal(undefined);
    expect(parsePosition(undefined)).to.equal(undefined);
    const at = (shard: string, a: number, b = 0) => ({ shard, at: [a, b] as const });
    expect(comparePositions(at('1', 5), at('1', 7))).to.be.below(0);
    expect(comparePositions(at('', 5, 2), at('', 5, 1))).to.be.above(0);
    expect(comparePositions(at('', 5), at('', 5))).to.equal(0);
    expect(Number.isNaN(comparePositions(at('1', 5), at('2', 7)))).to.equal(true);
    expect(entryPosition('1700000000000-12')).to.deep.equal(at('', 1700000000000, 12));
    expect(entryPosition('nope')).to.equal(undefined);
  });
});

describe('handler: what it writes, and work time with jitter', function () {
  const event: EventEnvelope = {
    id: 'e1',
    type: 't',
    key: 'order-1',
    payload: {},
    producedAt: new Date().toISOString(),
  };
  function recordingSink(): { sink: Sink; inputs: RecordInput[] } {
    const inputs: RecordInput[] = [];
    const sink = {
      record: (input: RecordInput) => {
        inputs.push(input);
        return Promise.resolve({ applied: true, deliveries: 1, effects: 1 });
      },
    } as unknown as Sink;
    return { sink, inputs };
  }

  it('passes the start time, the broker position and the event key to the sink', async function () {
    const { sink, inputs } = recordingSink();
    const handler = createHandler({ transport: 'kafka', sink, workerId: '4', pid: 44 });
    const before = Date.now();
    await handler({ event, deliveryCount: 2, position: { shard: '1', at: [9, 0] } });
    expect(inputs).to.have.length(1);
    const input = inputs[0] as RecordInput;
    expect(input).to.include({
      id: 'e1',
      workerId: '4',
      pid: 44,
      deliveryCount: 2,
      key: 'order-1',
    });
    expect(input.position).to.deep.equal({ shard: '1', at: [9, 0] });
    expect(input.startMs).to.be.within(before, Date.now());
    await handler({ event: { ...event, key: undefined }, deliveryCount: 1 });
    expect(inputs[1]).to.not.have.property('key');
    expect(inputs[1]).to.not.have.property('position');
  });

  it('adds up to WORK_TIME_JITTER_MS of work, drawn from the worker seed', async function () {
    const { sink } = recordingSink();
    const timed = async (random: () => number) => {
      const handler = createHandler({
        transport: 'redis',
        sink,
        workerId: '1',
        pid: 1,
        workTimeMs: 5,
        workTimeJitterMs: 60,
        random,
      });
      const t0 = performance.now();
      await handler({ event, deliveryCount: 1 });
      return performance.now() - t0;
    };
    expect(await timed(() => 0)).to.be.below(40);
    expect(await timed(() => 0.9999)).to.be.at.least(60);
  });
});
