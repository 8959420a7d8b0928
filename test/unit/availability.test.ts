import { expect } from 'chai';
import type { SinkRecord } from '../../lib/sink.ts';
import type { LostClass } from '../../lib/transports/driver.ts';
import { check, type CheckInput } from '../../harness/checker/index.ts';
import type { HistoryEntry, OpType } from '../../harness/history.ts';
import { formatSummary } from '../../harness/summary-table.ts';

const T0 = 1_000_000_000_000;

/** Hand-placed requests: [type, id, sent at, completed at] in run ms; one process each. */
function history(
  ops: [Exclude<OpType, 'invoke'>, string, number, number][],
  faults: [string, number, number][] = [],
): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  ops.forEach(([type, id, sent, done], process) => {
    const base = { process, transport: 'kafka' as const, ids: [id] };
    out.push({ type: 'invoke', ...base, time: sent, wall: T0 + sent });
    out.push({ type, ...base, time: done, wall: T0 + done });
  });
  for (const [fault, start, heal] of faults) {
    out.push({ type: 'fault', phase: 'start', fault, time: start, wall: T0 + start });
    out.push({ type: 'fault', phase: 'heal', fault, time: heal, wall: T0 + heal });
  }
  return out.sort((a, b) => a.time - b.time);
}

const applied = (effects: Record<string, number>): Map<string, SinkRecord> =>
  new Map(
    Object.entries(effects).map(([id, at]) => [
      id,
      { id, firstEffectMs: T0 + at, workerId: 'w', pid: 1, deliveries: 1, effects: 1 },
    ]),
  );

function input(h: HistoryEntry[], sink: Map<string, SinkRecord>, more: Partial<CheckInput> = {}) {
  return {
    history: h,
    sink: { kafka: sink },
    pending: { kafka: { transport: 'kafka' as const, pending: 0, detail: {} } },
    deadLetters: { kafka: [] },
    ...more,
  };
}

describe('availability rule', () => {
  // The producer is cut off from 100 to 400 ms: two requests fail, the next ok is at 320.
  const cutOff = history(
    [
      ['ok', 'a', 0, 10],
      ['fail', 'b', 110, 120],
      ['info', 'c', 200, 260],
      ['ok', 'd', 300, 320],
      ['ok', 'e', 500, 510],
    ],
    [['proxy-down', 100, 400]],
  );
  const cutOffSink = applied({ a: 20, d: 330, e: 520 });

  it('measures the publish unavailability window: first failure to the next ok', () => {
    const r = check(input(cutOff, cutOffSink));
    expect(r.valid).to.equal(true);
    expect(r.recovery[0]!.perTransport.kafka).to.include({ unavailableMs: 210 });
    expect(r.perTransport.kafka!.unavailableMaxMs).to.equal(210);
  });

  it('fails the run when a fault exceeds maxUnavailableMs, naming the figure', () => {
    const r = check(input(cutOff, cutOffSink, { limits: { maxUnavailableMs: 100 } }));
    expect(r.valid).to.equal(false);
    expect(r.anomalies).to.deep.equal(['availability']);
    const breaches = r.perTransport.kafka!.availabilityBreaches!;
    expect(breaches).to.deep.equal([
      'publish unavailable 210 ms after proxy-down @0.1s > maxUnavailableMs 100',
    ]);
    expect(formatSummary(r)).to.contain('kafka: publish unavailable 210 ms after proxy-down');
    expect(check(input(cutOff, cutOffSink, { limits: { maxUnavailableMs: 210 } })).valid).to.equal(
      true,
    );
  });

  it('counts a window that never closes up to the end of the run', () => {
    const h = history(
      [
        ['ok', 'a', 0, 10],
        ['fail', 'b', 150, 160],
      ],
      [['proxy-down', 100, 400]],
    );
    const r = check(input(h, applied({ a: 20 })));
    // The last entry is the heal at 400.
    expect(r.recovery[0]!.perTransport.kafka).to.include({ unavailableMs: 250 });
  });

  it('closes a window only with an ok answered after it began, never below 0', () => {
    // b was sent before the fault and failed after it began; c, sent after b, was answered
    // before the fault: only e's ok at 330 ends the window.
    const h = history(
      [
        ['ok', 'a', 0, 10],
        ['info', 'b', 20, 150],
        ['ok', 'c', 30, 40],
        ['ok', 'e', 300, 330],
      ],
      [['kill-leader', 100, 400]],
    );
    const r = check(input(h, applied({ a: 20, c: 50, e: 340 })));
    expect(r.recovery[0]!.perTransport.kafka).to.include({ unavailableMs: 230 });
  });

  it('measures the consumption stall only while events wait, unlike the gap', () => {
    // b is sent at 50 and waits through the fault (100..400) until 900.
    const stalled = history(
      [
        ['ok', 'a', 0, 10],
        ['ok', 'b', 50, 60],
      ],
      [['kill-pool', 100, 400]],
    );
    const r = check(input(stalled, applied({ a: 20, b: 900 }), { limits: { maxRecoveryMs: 500 } }));
    expect(r.recovery[0]!.perTransport.kafka).to.include({ stallMs: 800 });
    expect(r.valid).to.equal(false);
    expect(r.perTransport.kafka!.availabilityBreaches).to.deep.equal([
      'consumption stalled 800 ms after kill-pool @0.1s > maxRecoveryMs 500',
    ]);
    // Nothing waits while the producer is cut off: no stall, though no effect for 230 ms.
    const idle = check(input(cutOff, cutOffSink, { limits: { maxRecoveryMs: 50 } }));
    expect(idle.recovery[0]!.perTransport.kafka).to.include({ longestGapMs: 230 });
    expect(idle.recovery[0]!.perTransport.kafka!.stallMs).to.be.at.most(30);
    expect(idle.valid).to.equal(true);
  });

  it('is measured without limits and never breaks then', () => {
    const r = check(input(cutOff, cutOffSink));
    expect(r.perTransport.kafka!.checks.availability).to.equal(true);
    expect(r.perTransport.kafka!.availabilityBreaches).to.deep.equal([]);
  });
});

describe('lost classes', () => {
  const h = history([
    ['ok', 'a', 0, 10],
    ['ok', 'b', 20, 30],
    ['ok', 'c', 40, 50],
    ['ok', 'd', 60, 70],
  ]);
  const sink = applied({ a: 15 });

  it('counts lost ids per class and keeps the class of each sampled id', () => {
    const lostLocations = {
      kafka: new Map<string, LostClass>([
        ['b', 'never-stored'],
        ['c', 'delivered-unapplied'],
      ]),
    };
    const r = check(input(h, sink, { lostLocations }));
    expect(r.perTransport.kafka).to.include({
      lost: 3,
      lostNeverStored: 1,
      lostStoredUndelivered: 0,
      lostDeliveredUnapplied: 1,
      lostUnclassified: 1,
    });
    expect(r.perTransport.kafka!.lostClasses).to.deep.equal({
      b: 'never-stored',
      c: 'delivered-unapplied',
      d: 'unclassified',
    });
    expect(r.samples['kafka/lost-never-stored']).to.deep.equal(['b']);
    expect(r.counts.lostDeliveredUnapplied).to.equal(1);
    expect(formatSummary(r)).to.contain(
      'kafka/lost: b (never stored) c (delivered, not applied) d (not classified)',
    );
  });

  it('leaves every lost id unclassified when the brokers were not asked', () => {
    const r = check(input(h, sink));
    expect(r.perTransport.kafka).to.include({ lost: 3, lostUnclassified: 3 });
    expect(r.valid).to.equal(false);
  });
});
