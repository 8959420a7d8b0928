import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { columnTable, type CheckInput, type CheckResult, type Column } from './checker/index.ts';
import type { ExpectationResult } from './expectations.ts';
import type { TransportName } from '../lib/envelope.ts';
import type { HistoryEntry } from './history.ts';
import { digestHistory, type HistoryDigest } from './history-digest.ts';
import { latencySpec, renderSvg, timelineSpec } from './report-chart.ts';
import { reportDataOf } from './report-data.ts';
import { escapeHtml, renderHtml } from './report-html.ts';
import { logProcessEvents } from './report-processes.ts';

/**
 * The run folder `runs/<scenario>-<timestamp>/`: the runner writes `history.ndjson`
 * there while the run goes on; at the end this writes `result.json` and `report.html`.
 */
export interface ReportInput {
  scenario: string;
  seed: string;
  /** Wall time (ms epoch) the run started. */
  startedAt: number;
  /** Wall time the run ended (default now). */
  endedAt?: number;
  result: CheckResult<string>;
  /** The checker's columns (default: those of the standard rule list). */
  columns?: readonly Column[];
  expectations?: ExpectationResult;
  /** The history, in memory (small runs, tests); or its `digest`, streamed from the file. */
  history?: readonly HistoryEntry[];
  digest?: HistoryDigest;
  sink: CheckInput['sink'];
  /** The pools' log files, for the rebalances, claims and deaths of the process timeline. */
  poolLogs?: readonly { transport: TransportName; path: string }[];
  /** Anything else worth keeping: options, versions, infra provider, resolved schedule. */
  meta?: Record<string, unknown>;
}

export interface WrittenReport {
  dir: string;
  resultPath: string;
  htmlPath: string;
}

/** `smoke-20260102T030405Z`: sortable, filesystem-safe on every OS. */
export function runDirName(scenario: string, date: Date = new Date()): string {
  const stamp = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${scenario}-${stamp}`;
}

/** Creates `<root>/<scenario>-<timestamp>` and returns its path. */
export async function createRunDir(root: string, scenario: string, date?: Date): Promise<string> {
  const dir = join(root, runDirName(scenario, date));
  await mkdir(dir, { recursive: true });
  return dir;
}

/** The content of result.json (also what `--json` prints). */
export function resultDocument(input: ReportInput): Record<string, unknown> {
  const endedAt = input.endedAt ?? Date.now();
  const pass = input.result.valid === true && (input.expectations?.met ?? true);
  return {
    scenario: input.scenario,
    seed: input.seed,
    startedAt: new Date(input.startedAt).toISOString(),
    durationMs: endedAt - input.startedAt,
    pass,
    valid: input.result.valid,
    anomalies: input.result.anomalies,
    unknownReasons: input.result.unknownReasons,
    expectations: input.expectations ?? null,
    // The summary table's values per transport, keyed by the checker's column keys.
    table: columnTable(input.result, input.columns),
    check: input.result,
    ...(input.meta ? { meta: input.meta } : {}),
  };
}

/** Renders the page; a chart that fails to render is replaced by a note, never fatal. */
export async function renderReportHtml(input: ReportInput): Promise<string> {
  const digest = input.digest ?? digestHistory(input.history ?? []);
  const logEvents = await logProcessEvents(input.poolLogs ?? [], digest.index.startWall);
  const data = reportDataOf(digest, input.sink, { logEvents });
  const svg = (spec: Parameters<typeof renderSvg>[0]) =>
    renderSvg(spec).catch(
      (err: unknown) =>
        `<p>chart unavailable: ${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`,
    );
  const [timelineSvg, latencySvg] = await Promise.all([
    svg(timelineSpec(data)),
    svg(latencySpec(data)),
  ]);
  return renderHtml({
    scenario: input.scenario,
    seed: input.seed,
    startedAt: input.startedAt,
    result: input.result,
    ...(input.columns ? { columns: input.columns } : {}),
    ...(input.expectations ? { expectations: input.expectations } : {}),
    timelineSvg,
    latencySvg,
    ...(input.meta ? { meta: input.meta } : {}),
  });
}

export async function writeReport(dir: string, input: ReportInput): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const resultPath = join(dir, 'result.json');
  const htmlPath = join(dir, 'report.html');
  await writeFile(resultPath, `${JSON.stringify(resultDocument(input), null, 2)}\n`);
  await writeFile(htmlPath, await renderReportHtml(input));
  return { dir, resultPath, htmlPath };
}
