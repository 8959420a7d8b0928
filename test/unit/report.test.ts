import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SinkRecord } from '../../lib/sink.ts';
import {
  check,
  columnsOf,
  COLUMNS,
  compose,
  MEASURES,
  SAFETY_RULES,
  type SafetyRule,
} from '../../harness/checker/index.ts';
import { checkExpectations, observeSignals } from '../../harness/expectations.ts';
import type { HistoryEntry } from '../../harness/history.ts';
import { latencySpec, renderSvg, timelineSpec } from '../../harness/report-chart.ts';
import { buildReportData } from '../../harness/report-data.ts';
import { renderReportHtml, resultDocument, runDirName, writeReport } from '../../harness/report.ts';
import { formatSummary } from '../../harness/summary-table.ts';

const T0 = 1_700_000_000_000;
function fixture() {
  const history: HistoryEntry[] = [
    {
      type: 'meta',
      scenario: 'crash-consumer',
      seed: 's',
      transports: ['kafka', 'redis'],
      time: 0,
      wall: T0,
    },
  ];
  const sink = { kafka: new Map<string, SinkRecord>(), redis: new Map<string, SinkRecord>() };
  for (let i = 0; i < 40; i++) {
    for (const t of ['kafka', 'redis'] as const) {
      const time = i * 100;
      const ids = [`s-${t}-${i}`];
      history.push({ type: 'invoke', process: 0, transport: t, ids, time, wall: T0 + time });
      history.push({
        type: 'ok',
        process: 0,
        transport: t,
        ids,
        status: 202,
        time: time + 5,
        wall: T0 + time + 5,
      });
      sink[t].set(ids[0]!, {
        id: ids[0]!,
        firstEffectMs: T0 + time + 20 + (i % 7) * 10,
        workerId: 'w',
        pid: 1,
        deliveries: i === 3 ? 2 : 1,
        effects: 1,
      });
    }
  }
  history.push({
    type: 'fault',
    phase: 'start',
    fault: 'kill-worker',
    target: 'kafka',
    time: 1000,
    wall: T0 + 1000,
    detail: { count: 1 },
  });
  history.push({
    type: 'fault',
    phase: 'heal',
    fault: 'kill-worker',
    target: 'kafka',
    time: 1000,
    wall: T0 + 1000,
  });
  history.push({
    type: 'fault',
    phase: 'start',
    fault: 'toxic',
    target: 'redis-workers',
    time: 1500,
    wall: T0 + 1500,
  });
  history.push({
    type: 'fault',
    phase: 'heal',
    fault: 'toxic',
    target: 'redis-workers',
    time: 2500,
    wall: T0 + 2500,
  });
  const result = check({
    history,
    sink,
    pending: {
      kafka: { transport: 'kafka', pending: 0, detail: {} },
      redis: { transport: 'redis', pending: 0, detail: {} },
    },
    deadLetters: { kafka: [], redis: [] },
  });
  return { history, sink, result };
}

describe('report', () => {
  it('bins sent, acked and processed per second and keeps fault windows', () => {
    const { history, sink } = fixture();
    const data = buildReportData(history, sink);
    expect(data.transports).to.deep.equal(['kafka', 'redis']);
    const sum = (series: string) =>
      data.timeline
        .filter((p) => p.transport === data.transports[0] && p.series === series)
        .reduce((a, p) => a + p.events, 0);
    expect([sum('sent'), sum('acked'), sum('processed')]).to.deep.equal([40, 40, 40]);
    expect(data.faults.map((f) => f.fault)).to.deep.equal(['kill-worker', 'toxic']);
    expect(data.latency).to.have.length(80);
    expect(buildReportData(history, sink, { maxLatencyPoints: 10 }).latency.length).to.be.at.most(
      10,
    );
  });

  it('renders both plots to SVG server-side', async () => {
    const { history, sink } = fixture();
    const data = buildReportData(history, sink);
    const timeline = await renderSvg(timelineSpec(data));
    const latency = await renderSvg(latencySpec(data));
    for (const svg of [timeline, latency]) {
      expect(svg.startsWith('<svg')).to.equal(true);
      expect(svg).to.contain('</svg>');
    }
    expect(timeline).to.contain('kill-worker');
  });

  it('renders charts even with no data at all', async () => {
    const data = buildReportData([], {});
    expect(await renderSvg(timelineSpec(data))).to.contain('<svg');
    expect(await renderSvg(latencySpec(data))).to.contain('<svg');
  });

  it('builds a self-contained HTML page without scripts', async () => {
    const { history, sink, result } = fixture();
    const html = await renderReportHtml({
      scenario: 'crash-<x>',
      seed: 's',
      startedAt: T0,
      result,
      history,
      sink,
    });
    expect(html).to.contain('<svg').and.contain('crash-&lt;x&gt;').and.contain('valid');
    expect(html).to.not.match(/<script|https?:\/\/(?!www\.w3\.org|vega\.github\.io)/);
  });

  it('writes result.json and report.html into the run folder', async () => {
    const { history, sink, result } = fixture();
    const expectations = checkExpectations({ kills: { min: 2 } }, observeSignals(history, result));
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    try {
      const out = await writeReport(dir, {
        scenario: 'crash-consumer',
        seed: 's',
        startedAt: T0,
        endedAt: T0 + 5000,
        result,
        expectations,
        history,
        sink,
      });
      const doc = JSON.parse(readFileSync(out.resultPath, 'utf8')) as Record<string, unknown>;
      expect(doc).to.include({
        scenario: 'crash-consumer',
        seed: 's',
        pass: false,
        valid: true,
        durationMs: 5000,
      });
      expect(readFileSync(out.htmlPath, 'utf8')).to.contain('<svg');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names run folders by scenario and UTC time', () => {
    expect(runDirName('smoke', new Date('2026-01-02T03:04:05.678Z'))).to.equal(
      'smoke-20260102T030405Z',
    );
  });

  it('formats a fixed-width summary table per transport', () => {
    const { result } = fixture();
    const text = formatSummary(result);
    const lines = text.split('\n');
    expect(lines[0]).to.match(/^transport\s+attempted\s+ok/);
    expect(lines[2]).to.match(/^kafka\s+40\s+40/);
    expect(lines[3]).to.match(/^redis\s+40\s+40/);
    expect(lines[2]!.length).to.equal(lines[0]!.length);
    expect(text).to.contain('checker: VALID');
    expect(text).to.contain('recovery after toxic redis-workers');
  });
});

describe('report columns', () => {
  const cellsOf = (line: string | undefined) => (line ?? '').trim().split(/\s+/);

  it('takes the summary columns from the rule and measure lists', () => {
    const { result } = fixture();
    const header = cellsOf(formatSummary(result).split('\n')[0]);
    const shown = COLUMNS.filter((c) => c.terminal !== false).map((c) => c.short);
    expect(header).to.deep.equal(['transport', ...shown, 'valid']);
    expect(shown).to.include.members(['lost', 'unexp', 'double', 'pending', 'redeliv', 'p99ms']);
    expect(COLUMNS.map((c) => c.key)).to.deep.equal(
      [...MEASURES, ...SAFETY_RULES].flatMap((u) => u.columns.map((c) => c.key)),
    );
  });

  it('shows every column in the report and result.json, report-only ones included', async () => {
    const { history, sink, result } = fixture();
    const html = await renderReportHtml({
      scenario: 's',
      seed: 's',
      startedAt: T0,
      result,
      history,
      sink,
    });
    for (const c of COLUMNS) expect(html).to.contain(`<td>${c.label}</td>`);
    const doc = resultDocument({ scenario: 's', seed: 's', startedAt: T0, result, history, sink });
    const table = doc.table as Record<string, Record<string, unknown>>;
    expect(Object.keys(table.kafka!)).to.deep.equal([...COLUMNS.map((c) => c.key), 'valid']);
    expect(table.kafka).to.include({ attempted: 40, lost: 0, redeliveries: 1, valid: true });
    expect(table.kafka!.pending).to.equal(0);
  });

  it('adds a new rule column to the summary, the report and result.json', async () => {
    const slow: SafetyRule<'slow', never> = {
      name: 'slow',
      needs: [],
      columns: [
        {
          key: 'slowRule',
          short: 'slowcol',
          label: 'slow rule',
          value: (r) => String(r.checks.slow),
        },
      ],
      run: () => ({ anomalies: [] }),
    };
    const rules = [...SAFETY_RULES, slow];
    const columns = columnsOf(rules, MEASURES);
    const { history, sink } = fixture();
    const result = compose(
      rules,
      MEASURES,
    )({
      history,
      sink,
      pending: {
        kafka: { transport: 'kafka', pending: 0, detail: {} },
        redis: { transport: 'redis', pending: 0, detail: {} },
      },
      deadLetters: { kafka: [], redis: [] },
    });
    const lines = formatSummary(result, undefined, columns).split('\n');
    expect(cellsOf(lines[0]).slice(-2)).to.deep.equal(['slowcol', 'valid']);
    expect(cellsOf(lines[2]).slice(-2)).to.deep.equal(['true', 'true']);
    const input = { scenario: 's', seed: 's', startedAt: T0, result, columns, history, sink };
    expect(await renderReportHtml(input)).to.contain('<td>slow rule</td>');
    const table = resultDocument(input).table as Record<string, Record<string, unknown>>;
    expect(table.redis).to.include({ slowRule: 'true' });
  });
});

describe('expectations', () => {
  it('reports which fault signals were not observed', () => {
    const { history, result } = fixture();
    const observed = observeSignals(history, result);
    expect(observed.kills).to.equal(1);
    expect(observed.perTransport.kafka!.redeliveries).to.equal(1);
    const ok = checkExpectations(
      { kills: { min: 1 }, redeliveries: { min: 1 }, producerFailures: { max: 0 } },
      observed,
    );
    expect(ok).to.include({ met: true });
    const bad = checkExpectations(
      { kills: { min: 3 }, redeliveries: { max: 0 }, deadLettered: { min: 1 } },
      observed,
    );
    expect(bad.met).to.equal(false);
    expect(bad.failures).to.include('kills 1, expected >= 3');
    expect(bad.failures).to.include('kafka: redeliveries 1, expected <= 0');
    expect(bad.failures).to.include('redis: deadLettered 0, expected >= 1');
    expect(observeSignals(history, result, { kills: 7 }).kills).to.equal(7);
  });
});
