import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createClock,
  createHistoryWriter,
  loadHistory,
  parseEntry,
  parseHistory,
  serializeEntry,
  type HistoryEntry,
} from '../../harness/history.ts';
import { digestHistory, digestHistoryFile } from '../../harness/history-digest.ts';
import { indexHistory } from '../../harness/history-index.ts';

const SAMPLE: HistoryEntry[] = [
  { type: 'meta', scenario: 'smoke', seed: 's1', transports: ['kafka'], time: 0, wall: 1000 },
  { type: 'phase', phase: 'load', time: 1, wall: 1001 },
  {
    type: 'invoke',
    process: 0,
    transport: 'kafka',
    ids: ['s1-kafka-0', 's1-kafka-1'],
    poison: ['s1-kafka-1'],
    time: 2,
    wall: 1002,
  },
  {
    type: 'fault',
    phase: 'start',
    fault: 'kill-worker',
    target: 'kafka',
    time: 3,
    wall: 1003,
    detail: { pid: 42 },
  },
  {
    type: 'ok',
    process: 0,
    transport: 'kafka',
    ids: ['s1-kafka-0', 's1-kafka-1'],
    status: 202,
    time: 4,
    wall: 1004,
  },
  { type: 'invoke', process: 1, transport: 'kafka', ids: ['s1-kafka-2'], time: 5, wall: 1005 },
  {
    type: 'info',
    process: 1,
    transport: 'kafka',
    ids: ['s1-kafka-2'],
    error: 'timeout',
    time: 6,
    wall: 1006,
  },
  { type: 'fault', phase: 'heal', fault: 'kill-worker', target: 'kafka', time: 7, wall: 1007 },
];

describe('history', () => {
  it('round-trips entries through NDJSON text', () => {
    const text = SAMPLE.map(serializeEntry).join('');
    expect(text.split('\n')).to.have.length(SAMPLE.length + 1);
    expect(parseHistory(text)).to.deep.equal(SAMPLE);
  });

  it('skips blank, torn and foreign lines instead of failing', () => {
    expect(parseEntry('')).to.equal(undefined);
    expect(parseEntry('{"type":"ok","ti')).to.equal(undefined);
    expect(parseEntry('{"type":"weird","time":1}')).to.equal(undefined);
    expect(parseEntry('[1,2]')).to.equal(undefined);
  });

  it('streams to a file in bounded chunks and reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'history-'));
    try {
      const path = join(dir, 'history.ndjson');
      const writer = createHistoryWriter(path, { flushBytes: 200 });
      for (const e of SAMPLE) writer.append(e);
      // Past flushBytes some lines are already on disk before close.
      expect(readFileSync(path, 'utf8').length).to.be.greaterThan(0);
      writer.close();
      writer.close(); // idempotent
      writer.append(SAMPLE[0]!); // dropped after close
      expect(writer.count).to.equal(SAMPLE.length);
      expect(await loadHistory(path)).to.deep.equal(SAMPLE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a clock whose wall time follows the monotonic time', () => {
    const clock = createClock();
    const a = clock.now();
    const b = clock.now();
    expect(b.time).to.be.at.least(a.time);
    expect(a.wall - clock.startWall).to.equal(Math.round(a.time));
  });

  it('keeps every completed request as send, completion and ok', () => {
    const log = indexHistory(SAMPLE).opLog.get('kafka')!;
    expect(log).to.deep.equal({ invoke: [2, 5], done: [4, 6], ok: [1, 0] });
  });

  it('digests a history file as a stream, as it digests the entries in memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'history-'));
    try {
      const path = join(dir, 'history.ndjson');
      const writer = createHistoryWriter(path);
      const sample = {
        type: 'sample' as const,
        transport: 'kafka' as const,
        pending: 3,
        restarts: 0,
        time: 8,
        wall: 1008,
      };
      for (const e of [...SAMPLE, sample]) writer.append(e);
      writer.close();
      const streamed = await digestHistoryFile(path);
      expect(streamed).to.deep.equal(digestHistory([...SAMPLE, sample]));
      // Operations are folded into the index and the rates; everything else is kept.
      expect(streamed.others.map((e) => e.type)).to.deep.equal([
        'meta',
        'phase',
        'fault',
        'fault',
        'sample',
      ]);
      expect(streamed.rates).to.deep.equal([
        { transport: 'kafka', series: 'sent', second: 0, events: 3 },
        { transport: 'kafka', series: 'acked', second: 0, events: 2 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('indexes ids, outcomes and fault windows', () => {
    const index = indexHistory(SAMPLE);
    const kafka = index.ids.get('kafka')!;
    expect(kafka.get('s1-kafka-0')).to.include({ outcome: 'ok', poison: false });
    expect(kafka.get('s1-kafka-1')).to.include({ outcome: 'ok', poison: true });
    expect(kafka.get('s1-kafka-2')).to.include({ outcome: 'info' });
    expect(index.faults).to.deep.equal([
      {
        fault: 'kill-worker',
        target: 'kafka',
        start: 3,
        heal: 7,
        startWall: 1003,
        healWall: 1007,
        healed: true,
      },
    ]);
    expect(index.startWall).to.equal(1000);
    expect(index.ops).to.equal(2);
  });
});
