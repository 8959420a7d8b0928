import type { BenchResult } from './results.ts';
import { subjectLabel } from './subjects.ts';

/** Plain fixed-width tables of a bench result, one section per measurement. */

const num = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '-';
const ms = (n: number) => num(n, n < 10 ? 1 : 0);
const s = (n: number) => num(n / 1000, 1);

function table(title: string, header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [title, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
}

/** The bench's tables, in the order the measurements ran, then notes and errors. */
export function formatTables(r: BenchResult): string {
  // --tracing-cost and --cluster measure one thing alone: the other tables would be empty.
  const sections =
    r.tracing !== undefined
      ? tracingTable(r)
      : r.infra.topology === 'cluster'
        ? ingestTable(r)
        : [
            ...ingestTable(r),
            ...singleTable(r),
            ...drainTable(r),
            ...recoveryTable(r),
            ...latencyTable(r),
          ];
  const out: string[] = [...headerLines(r), ...sections];
  if (r.notes.length > 0) out.push('NOTES:', ...r.notes.map((n) => `  ${n}`), '');
  if (r.errors.length > 0)
    out.push('ERRORS (measurements not taken):', ...r.errors.map((e) => `  ${e}`), '');
  return out.join('\n');
}

/** When, where and on what the figures were taken. */
function headerLines(r: BenchResult): string[] {
  return [
    `bench (${r.mode}) ${r.startedAt}  ${r.machine.cpus} cpus, load ${r.machine.loadAvgAtStart.map((l) => l.toFixed(2)).join(' ')}  node ${r.machine.node}`,
    `infra ${r.infra.provider} (${r.infra.topology}): kafka ${r.infra.versions.kafka ?? '?'}, redis ${r.infra.versions.redis ?? '?'}; direct (unproxied) links`,
    '',
  ];
}

function ingestTable(r: BenchResult): string[] {
  const p = r.plan;
  return table(
    `INGEST: ${p.payloadBytes} B payloads, ${p.ingest.batchSize}-event batches, ${p.ingest.concurrency} in flight, ${num(p.ingest.events)} events`,
    ['transport', 'producer ev/s', 'raw client ev/s', 'ratio', 'broker tool ev/s', 'tool'],
    r.ingest.map((i) => [
      subjectLabel(i),
      num(i.producerEventsPerS),
      num(i.rawEventsPerS),
      num(i.ratio, 2),
      i.tool ? num(i.tool.eventsPerS) : '-',
      i.tool?.name ?? '(none)',
    ]),
  );
}

function singleTable(r: BenchResult): string[] {
  const p = r.plan;
  return table(
    `SINGLE-EVENT REQUESTS: autocannon, ${p.single.connections} connections, ${p.single.durationS} s`,
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
    r.single.map((x) => [
      x.target === 'livez'
        ? 'GET /livez (ceiling)'
        : `POST ${subjectLabel({ transport: x.target, variant: x.variant })}`,
      num(x.requestsPerS),
      ms(x.p50Ms),
      ms(x.p99Ms),
      num(x.non2xx),
      num(x.errors),
    ]),
  );
}

function drainTable(r: BenchResult): string[] {
  const p = r.plan;
  return table(
    `DRAIN: backlog of ${num(p.drain.events)}, ${p.drain.poolSize} consumers, WORK_TIME_MS=0 (rate over first..last sink effect)`,
    ['transport', 'workers ev/s', 'raw loop ev/s', 'ratio', 'wall s (workers)', 'wall s (raw)'],
    r.drain.map((d) => [
      subjectLabel(d),
      num(d.workersEventsPerS),
      num(d.rawEventsPerS),
      num(d.ratio, 2),
      s(d.workersWallMs),
      s(d.rawWallMs),
    ]),
  );
}

function recoveryTable(r: BenchResult): string[] {
  const p = r.plan;
  return table(
    `RECOVERY: SIGKILL 1 of ${p.recovery.poolSize} workers holding events, WORK_TIME_MS=${p.recovery.workTimeMs}, respawn off`,
    ['transport', 'held', 'first s', 'all s', 'bound s', 'target', 'bound from'],
    r.recovery.map((x) => [
      subjectLabel(x),
      num(x.held),
      s(x.firstRecoveredMs),
      s(x.recoveredMs),
      s(x.boundMs),
      x.withinTarget ? 'ok' : 'MISSED',
      x.boundFrom,
    ]),
  );
}

function latencyTable(r: BenchResult): string[] {
  const p = r.plan;
  return table(
    `END-TO-END LATENCY: client send -> first sink effect, single-event requests, ${p.latency.durationS} s per load`,
    ['transport', 'load', 'target/s', 'achieved/s', 'measured', 'p50 ms', 'p99 ms'],
    r.latency.map((l) => [
      subjectLabel(l),
      `${Math.round(l.fraction * 100)}%`,
      num(l.targetPerS),
      num(l.achievedPerS),
      `${num(l.measured)}/${num(l.accepted)}`,
      ms(l.p50Ms),
      ms(l.p99Ms),
    ]),
  );
}

function tracingTable(r: BenchResult): string[] {
  const p = r.plan;
  const pct = (x: number) => (Number.isFinite(x) ? `${num(x * 100, 1)}%` : '-');
  return table(
    `TRACING COST: off vs on (OTLP/HTTP JSON to an in-process receiver), best of ${p.tracing.rounds}; ingest ${num(p.ingest.events)} events as INGEST, drain ${num(p.drain.events)} as DRAIN`,
    [
      'transport',
      'ingest off ev/s',
      'on ev/s',
      'cost',
      'drain off ev/s',
      'on ev/s',
      'cost',
      'spans',
    ],
    (r.tracing ?? []).map((t) => [
      t.transport,
      num(t.ingestOffEventsPerS),
      num(t.ingestOnEventsPerS),
      pct(t.ingestCost),
      num(t.drainOffEventsPerS),
      num(t.drainOnEventsPerS),
      pct(t.drainCost),
      num(t.spansReceived),
    ]),
  );
}
