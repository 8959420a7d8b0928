import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryEntry } from '../../harness/history.ts';
import { renderSvg, timelineSpec } from '../../harness/report-chart.ts';
import { buildReportData } from '../../harness/report-data.ts';
import { assignLanes } from '../../harness/report-lanes.ts';
import { logProcessEvents } from '../../harness/report-processes.ts';

const T0 = 1_700_000_000_000;
const at = (time: number) => ({ time, wall: T0 + time });

function history(): HistoryEntry[] {
  const fault = (phase: 'start' | 'heal', f: string, target: string, time: number) =>
    ({ type: 'fault', phase, fault: f, target, ...at(time) }) as const;
  const sample = (transport: 'kafka' | 'redis', time: number, pending: number, restarts: number) =>
    ({ type: 'sample', transport, pending, restarts, ...at(time) }) as const;
  return [
    { type: 'meta', scenario: 'chaos', seed: 's', transports: ['kafka', 'redis'], ...at(0) },
    fault('start', 'pause-worker', 'kafka:101', 1000),
    fault('start', 'toxic', 'kafka-producer,redis-producer', 1500),
    fault('start', 'kill-worker', 'redis:202', 2000),
    fault('heal', 'kill-worker', 'redis:202', 2000),
    fault('heal', 'toxic', 'kafka-producer,redis-producer', 4000),
    fault('heal', 'pause-worker', 'kafka:101', 5000),
    sample('kafka', 1000, 0, 0),
    sample('redis', 1000, 3, 0),
    sample('kafka', 2000, 12, 0),
    sample('redis', 3000, 40, 1),
  ];
}

describe('report timeline: lanes, lag and processes', () => {
  it('puts the labels of overlapping faults in separate lanes', () => {
    const bands = assignLanes(
      [
        { fault: 'pause-worker', target: 'kafka:101', start: 1, end: 5 },
        { fault: 'toxic', target: 'kafka-producer', start: 1.5, end: 4 },
        { fault: 'kill-worker', target: 'redis:202', start: 2, end: 2 },
        { fault: 'proxy-down', start: 50, end: 52 },
      ],
      60,
    );
    expect(bands.map((b) => b.lane)).to.deep.equal([0, 1, 2, 0]);
    // No room left: the label is left out, the band stays.
    const crowded = assignLanes(
      Array.from({ length: 4 }, (_, i) => ({ fault: 'toxic', start: i * 0.1, end: 10 })),
      60,
      3,
    );
    expect(crowded.map((b) => b.lane)).to.deep.equal([0, 1, 2, -1]);
  });

  it('plots the sampled lag and the process events of the history', () => {
    const data = buildReportData(history(), {});
    expect(data.lag).to.deep.include({ transport: 'redis', second: 3, pending: 40 });
    expect(data.lag).to.have.length(4);
    const kinds = data.processes.map((p) => `${p.transport} ${p.kind} @${p.second}`);
    expect(kinds).to.deep.equal([
      'kafka pause-worker @1',
      'redis kill-worker @2',
      'redis respawn @3',
      'kafka pause-worker healed @5',
    ]);
    expect(data.faults.map((f) => f.lane)).to.deep.equal([0, 1, 2]);
  });

  it('reads deaths, rebalances and claims from the pool logs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pool-log-'));
    try {
      const path = join(dir, 'workers-kafka.log');
      const line = (msg: string, dt: number) => JSON.stringify({ level: 30, time: T0 + dt, msg });
      writeFileSync(
        path,
        [
          line('workers started', 100),
          line('worker died; respawning', 2100),
          line('The group is rebalancing, re-joining', 2600),
          'not json',
          line('claimed idle entries', 3000),
        ].join('\n'),
      );
      const events = await logProcessEvents(
        [
          { transport: 'kafka', path },
          { transport: 'redis', path: join(dir, 'missing.log') },
        ],
        T0,
      );
      expect(events).to.deep.equal([
        { transport: 'kafka', second: 2.1, kind: 'died' },
        { transport: 'kafka', second: 2.6, kind: 'rebalance' },
        { transport: 'kafka', second: 3, kind: 'claim' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders the lag and process panels on the time axis of the rates', async () => {
    const svg = await renderSvg(timelineSpec(buildReportData(history(), {})));
    expect(svg).to.contain('consumer lag');
    expect(svg).to.contain('processes');
    for (const label of ['pause-worker kafka:101', 'kill-worker redis:202']) {
      expect(svg).to.contain(label.slice(0, 12));
    }
  });
});
