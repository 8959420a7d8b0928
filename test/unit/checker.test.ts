import { expect } from 'chai';
import type { TransportName } from '../../lib/envelope.ts';
import type { SinkRecord } from '../../lib/sink.ts';
import type { PendingState } from '../../lib/transports/types.ts';
import {
  ANOMALIES,
  check,
  compose,
  MEASURES,
  mergeValid,
  SAFETY_RULES,
  type AnomalyKind,
  type CheckInput,
  type Measure,
  type SafetyRule,
  type Validity,
} from '../../harness/checker/index.ts';
import type { HistoryEntry, OpType } from '../../harness/history.ts';

/** A hand-built history: each op is invoke + completion, 10 ms apart, wall = 1e12 + time. */
const T0 = 1_000_000_000_000;
class H {
  entries: HistoryEntry[] = [];
  private time = 0;
  private proc = 0;
  op(
    type: Exclude<OpType, 'invoke'>,
    ids: string[],
    opts: { transport?: TransportName; poison?: string[]; complete?: boolean } = {},
  ): this {
    const transport = opts.transport ?? 'kafka';
    const process = this.proc++;
    this.entries.push({
      type: 'invoke',
      process,
      transport,
      ids,
      ...(opts.poison ? { poison: opts.poison } : {}),
      time: this.time,
      wall: T0 + this.time,
    });
    this.time += 10;
    if (opts.complete !== false) {
      this.entries.push({ type, process, transport, ids, time: this.time, wall: T0 + this.time });
    }
    this.time += 10;
    return this;
  }
  fault(phase: 'start' | 'heal', fault: string, atMs: number): this {
    this.entries.push({ type: 'fault', phase, fault, time: atMs, wall: T0 + atMs });
    return this;
  }
}

/** A sink row without its id (the tests key rows by id). */
type Row = Omit<SinkRecord, 'id'>;
const rec = (firstEffectOffset: number, extra: Partial<Row> = {}): Row => ({
  firstEffectMs: T0 + firstEffectOffset,
  workerId: 'w1',
  pid: 1,
  deliveries: 1,
  effects: 1,
  ...extra,
});
/** lib/sink.ts records by id, as the harness reads them from the sink. */
const records = (rows: Record<string, Row>): Map<string, SinkRecord> =>
  new Map(Object.entries(rows).map(([id, r]) => [id, { id, ...r }]));
const zero = (transport: TransportName): PendingState => ({
  transport,
  pending: 0,
  detail: { lag: 0 },
});

function input(history: H, sink: Record<string, Row>, more: Partial<CheckInput> = {}): CheckInput {
  return {
    history: history.entries,
    sink: { kafka: records(sink) },
    pending: { kafka: zero('kafka') },
    deadLetters: { kafka: [] },
    ...more,
  };
}

describe('checker', () => {
  it('judges a clean run valid and counts every outcome', () => {
    const h = new H().op('ok', ['a', 'b']).op('fail', ['c']).op('info', ['d']).op('info', ['e']);
    const r = check(input(h, { a: rec(50), b: rec(100, { deliveries: 3 }), d: rec(200) }));
    expect(r.valid).to.equal(true);
    expect(r.anomalies).to.deep.equal([]);
    const k = r.perTransport.kafka!;
    expect(k).to.include({ attempted: 5, ok: 2, fail: 1, info: 2, processed: 3, lost: 0 });
    expect(k).to.include({ redeliveries: 1, recovered: 1, unrecovered: 1, pending: 0 });
    expect(r.samples['kafka/redelivered']).to.deep.equal(['b']);
    expect(r.samples['kafka/recovered']).to.deep.equal(['d']);
    // Latency from the invoke (time 0) of the acknowledged request.
    expect(k.latencyMs).to.include({ count: 2, p50: 50, max: 100 });
    expect(r.counts.attempted).to.equal(5);
  });

  it('finds lost events: acknowledged but not in the sink', () => {
    const h = new H().op('ok', ['a', 'b', 'c']);
    const r = check(input(h, { a: rec(30) }));
    expect(r.valid).to.equal(false);
    expect(r.anomalies).to.deep.equal(['lost']);
    expect(r.perTransport.kafka!.lost).to.equal(2);
    expect(r.samples['kafka/lost']).to.deep.equal(['b', 'c']);
  });

  it('treats a record with zero effects as not processed', () => {
    const h = new H().op('ok', ['a']);
    const r = check(input(h, { a: rec(30, { effects: 0 }) }));
    expect(r.anomalies).to.deep.equal(['lost']);
  });

  it('finds unexpected events: never attempted, or attempted only with a definite fail', () => {
    const h = new H().op('fail', ['f']).op('ok', ['a']);
    const r = check(input(h, { a: rec(50), f: rec(60), ghost: rec(70) }));
    expect(r.valid).to.equal(false);
    expect(r.anomalies).to.deep.equal(['unexpected']);
    expect(r.perTransport.kafka!.unexpected).to.equal(2);
    expect(r.samples['kafka/unexpected']).to.have.members(['f', 'ghost']);
  });

  it('accepts a processed event whose retry after a fail was ok', () => {
    const h = new H().op('fail', ['a']).op('ok', ['a']);
    const r = check(input(h, { a: rec(50) }));
    expect(r.valid).to.equal(true);
    expect(r.perTransport.kafka).to.include({ attempted: 1, ok: 1, fail: 0 });
  });

  it('counts an invoke without completion as indeterminate, never as unexpected', () => {
    const h = new H().op('ok', ['x'], { complete: false }).op('ok', ['a']);
    const r = check(input(h, { x: rec(5), a: rec(6) }));
    expect(r.valid).to.equal(true);
    expect(r.perTransport.kafka).to.include({ info: 1, recovered: 1 });
  });

  it('is unknown when nothing was accepted: there is nothing to check', () => {
    const h = new H().op('fail', ['a']).op('fail', ['b']);
    const r = check(input(h, {}));
    expect(r.valid).to.equal('unknown');
    expect(r.unknownReasons.join()).to.match(/no kafka event was accepted/);
  });

  it('finds double effects', () => {
    const h = new H().op('ok', ['a', 'b']);
    const r = check(input(h, { a: rec(30, { effects: 2, deliveries: 2 }), b: rec(30) }));
    expect(r.valid).to.equal(false);
    expect(r.anomalies).to.deep.equal(['double-effect']);
    expect(r.samples['kafka/double-effect']).to.deep.equal(['a']);
  });

  it('finds events still pending after the drain', () => {
    const h = new H().op('ok', ['a']);
    const r = check(
      input(
        h,
        { a: rec(30) },
        { pending: [{ transport: 'kafka', pending: 4, detail: { lag: 4 } }] },
      ),
    );
    expect(r.valid).to.equal(false);
    expect(r.anomalies).to.deep.equal(['pending']);
    expect(r.perTransport.kafka).to.include({ pending: 4 });
    expect(r.perTransport.kafka!.pendingDetail).to.deep.equal({ lag: 4 });
  });

  describe('dead letters', () => {
    const poisonRun = () =>
      new H().op('ok', ['a', 'p1'], { poison: ['p1'] }).op('ok', ['p2'], { poison: ['p2'] });

    it('is valid when every acknowledged poison event is dead-lettered and none applied', () => {
      const r = check(
        input(
          poisonRun(),
          { a: rec(30) },
          {
            deadLetters: {
              kafka: [
                { id: 'p1', error: 'poison' },
                { id: 'p2', error: 'poison' },
              ],
            },
          },
        ),
      );
      expect(r.valid).to.equal(true);
      expect(r.perTransport.kafka).to.include({
        poisonSent: 2,
        poisonOk: 2,
        deadLettered: 2,
        lost: 0,
      });
    });

    it('finds acknowledged poison missing from the dead-letter queue', () => {
      const r = check(
        input(
          poisonRun(),
          { a: rec(30) },
          { deadLetters: { kafka: [{ id: 'p1', error: 'poison' }] } },
        ),
      );
      expect(r.valid).to.equal(false);
      expect(r.anomalies).to.deep.equal(['dead-letter-missing']);
      expect(r.samples['kafka/dead-letter-missing']).to.deep.equal(['p2']);
    });

    it('finds non-poison events in the dead-letter queue (and counts them lost)', () => {
      const r = check(
        input(
          poisonRun(),
          {},
          {
            deadLetters: {
              kafka: [
                { id: 'p1', error: 'poison' },
                { id: 'p2', error: 'poison' },
                { id: 'a', error: 'sink down' },
              ],
            },
          },
        ),
      );
      expect(r.valid).to.equal(false);
      expect(r.anomalies).to.deep.equal(['lost', 'dead-letter-unexpected']);
      expect(r.samples['kafka/dead-letter-unexpected']).to.deep.equal(['a']);
    });

    it('finds poison events that were applied', () => {
      const r = check(
        input(
          poisonRun(),
          { a: rec(30), p1: rec(30) },
          {
            deadLetters: {
              kafka: [
                { id: 'p1', error: 'x' },
                { id: 'p2', error: 'x' },
              ],
            },
          },
        ),
      );
      expect(r.anomalies).to.deep.equal(['poison-effect']);
      expect(r.samples['kafka/poison-effect']).to.deep.equal(['p1']);
    });

    it('takes poison ids from the input as well as from the history', () => {
      const h = new H().op('ok', ['a', 'q']);
      const r = check(
        input(
          h,
          { a: rec(30) },
          { poisonIds: ['q'], deadLetters: { kafka: [{ id: 'q', error: 'x' }] } },
        ),
      );
      expect(r.valid).to.equal(true);
      expect(r.perTransport.kafka).to.include({ poisonSent: 1, deadLettered: 1 });
    });
  });

  describe('unknown', () => {
    it('is unknown when the sink could not be read', () => {
      const h = new H().op('ok', ['a']);
      const r = check({ ...input(h, {}), sink: { kafka: null } });
      expect(r.valid).to.equal('unknown');
      expect(r.unknownReasons.join()).to.contain('sink records for kafka');
      expect(r.perTransport.kafka!.valid).to.equal('unknown');
    });

    it('is unknown when pending state or dead letters are missing, or the caller reports errors', () => {
      const h = new H().op('ok', ['a']);
      const base = input(h, { a: rec(1) });
      expect(check({ ...base, pending: {} }).valid).to.equal('unknown');
      expect(check({ ...base, deadLetters: {} }).valid).to.equal('unknown');
      const r = check({ ...base, inputErrors: ['kafka pending: ECONNREFUSED'] });
      expect(r.valid).to.equal('unknown');
      expect(r.unknownReasons).to.include('kafka pending: ECONNREFUSED');
    });

    it('is unknown for a history without operations', () => {
      expect(check({ history: [], sink: {} }).valid).to.equal('unknown');
    });

    it('lets a definite anomaly beat unknown, as Jepsen merges validity', () => {
      const h = new H().op('ok', ['a']).op('ok', ['r'], { transport: 'redis' });
      const r = check({
        history: h.entries,
        sink: { kafka: new Map(), redis: null },
        pending: { kafka: zero('kafka'), redis: zero('redis') },
        deadLetters: { kafka: [], redis: [] },
      });
      expect(r.valid).to.equal(false);
      expect(r.perTransport.redis!.valid).to.equal('unknown');
    });

    it('never throws: malformed input yields unknown with the reason', () => {
      const r = check({ history: [null as unknown as HistoryEntry], sink: {} });
      expect(r.valid).to.equal('unknown');
      expect(r.unknownReasons[0]).to.match(/^checker error/);
      expect(check(undefined as unknown as CheckInput).valid).to.equal('unknown');
    });
  });

  it('accepts the sink as a Map, [id, record] pairs, rows with ids, or a plain object', () => {
    const h = new H().op('ok', ['a']);
    const row: SinkRecord = { id: 'a', ...rec(1) };
    const shapes: CheckInput['sink']['kafka'][] = [
      new Map([['a', row]]),
      [['a', row] as const],
      [row],
      { a: row },
    ];
    for (const shape of shapes) {
      expect(check({ ...input(h, {}), sink: { kafka: shape } }).valid).to.equal(true);
    }
  });

  it('keeps transports apart: an id processed on another transport is still lost', () => {
    const h = new H().op('ok', ['a'], { transport: 'redis' });
    const r = check({
      history: h.entries,
      sink: { kafka: records({ a: rec(5) }), redis: new Map() },
      pending: { kafka: zero('kafka'), redis: zero('redis') },
      deadLetters: { kafka: [], redis: [] },
      transports: ['kafka', 'redis'],
    });
    expect(r.anomalies).to.deep.equal(['lost', 'unexpected']);
    expect(r.perTransport.redis!.lost).to.equal(1);
    expect(r.perTransport.kafka!.unexpected).to.equal(1);
  });

  it('measures recovery after each heal', () => {
    // Sent at 0..., fault window 100..1000 ms; effects at 50, 1200 (backlog), 1500.
    const h = new H().op('ok', ['a']).op('ok', ['b']).op('ok', ['c']);
    h.fault('start', 'kill-pool', 100).fault('heal', 'kill-pool', 1000);
    const r = check(input(h, { a: rec(50), b: rec(1200), c: rec(1500) }));
    expect(r.valid).to.equal(true);
    expect(r.recovery).to.have.length(1);
    expect(r.recovery[0]).to.include({ fault: 'kill-pool', start: 100, heal: 1000 });
    expect(r.recovery[0]!.perTransport.kafka).to.deep.equal({
      firstEffectMs: 200,
      backlogMs: 500,
      longestGapMs: 900,
      // b waited from the fault's start (100) to its effect (1200); nothing failed to publish.
      unavailableMs: 0,
      stallMs: 1100,
    });
  });
});

describe('checker composition', () => {
  /** A rule that judges as told, to compose with the real ones. */
  const fixed = <N extends string>(name: N, valid: Validity): SafetyRule<N, never> => ({
    name,
    needs: [],
    columns: [],
    run: () => ({
      anomalies: valid === false ? [name] : [],
      ...(valid === 'unknown' ? { unknown: [`${name} cannot tell`] } : {}),
    }),
  });
  const clean = () => input(new H().op('ok', ['a']), { a: rec(30) });

  it('merges validity as Jepsen does: any false is false, else any unknown is unknown', () => {
    expect(mergeValid([])).to.equal(true);
    expect(mergeValid([true, true])).to.equal(true);
    expect(mergeValid([true, 'unknown', true])).to.equal('unknown');
    expect(mergeValid(['unknown', false, true])).to.equal(false);
    expect(mergeValid([false, 'unknown'])).to.equal(false);
    const run = (...vs: Validity[]) =>
      compose(
        vs.map((v, i) => fixed(`r${i}`, v)),
        [],
      )(clean());
    expect(run(true, true).valid).to.equal(true);
    expect(run(true, 'unknown').valid).to.equal('unknown');
    expect(run('unknown', false, true).valid).to.equal(false);
    const r = run('unknown', false);
    expect(r.anomalies).to.deep.equal(['r1']);
    expect(r.perTransport.kafka!.checks).to.deep.equal({ r0: 'unknown', r1: false });
    expect(r.unknownReasons).to.deep.equal(['r0 cannot tell']);
  });

  it('makes a throwing rule unknown with the reason, and the other rules still judge', () => {
    const boom: SafetyRule<'boom', never> = {
      name: 'boom',
      needs: [],
      columns: [],
      run: () => {
        throw new Error('kaput');
      },
    };
    const judge = compose([...SAFETY_RULES, boom], MEASURES);
    const r = judge(clean());
    expect(r.valid).to.equal('unknown');
    expect(r.unknownReasons).to.deep.equal(['boom on kafka failed: kaput']);
    expect(r.perTransport.kafka!.checks).to.include({ boom: 'unknown', lost: true });
    // A definite breach elsewhere still wins over the unknown.
    const lostToo = judge(input(new H().op('ok', ['a', 'b']), { a: rec(30) }));
    expect(lostToo.valid).to.equal(false);
    expect(lostToo.anomalies).to.deep.equal(['lost']);
    expect(lostToo.samples['kafka/lost']).to.deep.equal(['b']);
  });

  it('makes a throwing measure unknown, never invalid, keeping the rules', () => {
    const broken: Measure<never> = {
      name: 'broken',
      needs: [],
      columns: [],
      run: () => {
        throw new TypeError('no data');
      },
    };
    const r = compose(SAFETY_RULES, [...MEASURES, broken])(clean());
    expect(r.valid).to.equal('unknown');
    expect(r.anomalies).to.deep.equal([]);
    expect(r.unknownReasons).to.deep.equal(['broken on kafka failed: no data']);
    expect(r.perTransport.kafka).to.include({ attempted: 1, processed: 1, lost: 0 });
  });

  it('does not run a unit whose input is missing, and says which input', () => {
    const r = check({ ...clean(), deadLetters: {} });
    expect(r.valid).to.equal('unknown');
    expect(r.unknownReasons).to.deep.equal(['dead letters for kafka are missing']);
    expect(r.perTransport.kafka!.checks).to.include({
      lost: true,
      'dead-letter-missing': 'unknown',
      'dead-letter-unexpected': 'unknown',
      'dead-lettered': 'unknown',
    });
  });

  it('names one anomaly per safety rule, in rule order, and keeps measures apart', () => {
    expect(ANOMALIES).to.deep.equal([
      'lost',
      'unexpected',
      'double-effect',
      'pending',
      'dead-letter-missing',
      'dead-letter-unexpected',
      'poison-effect',
      'order',
      'nonmonotonic-send',
      'concurrent',
      'availability',
    ]);
    expect(SAFETY_RULES.map((r) => r.name)).to.deep.equal(ANOMALIES);
    const measured = MEASURES.map((m) => m.name);
    expect(measured).to.include.members(['latency', 'recovery']);
    expect(measured.filter((m) => (ANOMALIES as readonly string[]).includes(m))).to.deep.equal([]);
    const kinds: AnomalyKind[] = ['lost', 'poison-effect'];
    // @ts-expect-error the anomaly names are the rules' names, nothing else
    kinds.push('not-a-rule');
  });
});
