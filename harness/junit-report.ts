import { TRANSPORTS, type TransportName } from '../lib/envelope.ts';
import type { CheckResult } from './checker/index.ts';
import { checkExpectations, type ExpectationResult } from './expectations.ts';
import type { Scenario } from './scenario.ts';
import { formatSummary } from './summary-table.ts';

/**
 * A scenario run as JUnit XML, the format CI systems read: one testsuite per run and one
 * testcase per transport. A transport's anomalies and its unmet fault expectations are its
 * `<failure>`s; a transport the checker could not judge (`unknown`) gets an `<error>`.
 */
export interface JunitRun {
  scenario: Scenario;
  seed: string;
  result: CheckResult<string>;
  expectations: ExpectationResult;
  wallS: number;
  runDir: string;
  /** When the run started (ms since the epoch). */
  startedAt: number;
  /** The command that repeats the run (seed included). */
  replay: string;
}

interface Problem {
  element: 'failure' | 'error';
  type: string;
  message: string;
  detail: string;
}

export function junitReport(run: JunitRun): string {
  const transports = run.scenario.transports ?? TRANSPORTS;
  const cases = transports.map((t) => ({ transport: t, problems: problemsOf(run, t) }));
  const count = (element: Problem['element']) =>
    cases.filter((c) => c.problems.some((p) => p.element === element)).length;
  const time = run.wallS.toFixed(3);
  const totals = { tests: cases.length, failures: count('failure'), errors: count('error') };
  const lines = [...suiteHeader(run, totals, time)];
  for (const c of cases) {
    // The transports ran at once: each case took the whole run.
    const attrs = { classname: `scenario.${run.scenario.name}`, name: c.transport, time };
    if (c.problems.length === 0) {
      lines.push(`    ${tag('testcase', attrs, true)}`);
      continue;
    }
    lines.push(`    ${tag('testcase', attrs)}`);
    for (const p of c.problems) {
      const open = tag(p.element, { type: p.type, message: p.message });
      lines.push(`      ${open}${escapeXml(p.detail)}</${p.element}>`);
    }
    lines.push('    </testcase>');
  }
  const summary = escapeXml(formatSummary(run.result, run.expectations));
  lines.push(`    <system-out>${summary}</system-out>`, '  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

function suiteHeader(
  run: JunitRun,
  totals: { tests: number; failures: number; errors: number },
  time: string,
): string[] {
  const name = `scenario ${run.scenario.name}`;
  const timestamp = new Date(run.startedAt).toISOString().replace(/\.\d+Z$/, '');
  const properties = { seed: run.seed, runDir: run.runDir, replay: run.replay };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    tag('testsuites', { name, ...totals, time }),
    `  ${tag('testsuite', { name, ...totals, skipped: 0, time, timestamp })}`,
    '    <properties>',
    ...Object.entries(properties).map(
      ([key, value]) => `      ${tag('property', { name: key, value }, true)}`,
    ),
    '    </properties>',
  ];
}

/** What failed on one transport: its anomalies, its unmet expectations, or why it is unknown. */
function problemsOf(run: JunitRun, transport: TransportName): Problem[] {
  const r = run.result.perTransport[transport];
  if (!r) {
    return [
      {
        element: 'error',
        type: 'unknown',
        message: 'no result',
        detail: 'the checker returned nothing for this transport',
      },
    ];
  }
  const out: Problem[] = r.anomalies.map((anomaly) => {
    const samples = run.result.samples[`${transport}/${anomaly}`] ?? [];
    return {
      element: 'failure',
      type: 'anomaly',
      message: anomaly,
      detail: `${anomaly} on ${transport}; sample ids: ${samples.join(' ') || '-'}\n${replay(run)}`,
    };
  });
  if (r.valid === 'unknown') {
    // Unread inputs also leave the fault signals unmeasured: the error says why, once.
    const reasons = r.unknownReasons.length > 0 ? r.unknownReasons : run.result.unknownReasons;
    const message = reasons[0] ?? 'unknown';
    return [...out, { element: 'error', type: 'unknown', message, detail: reasons.join('\n') }];
  }
  // The scenario's expectations judged on this transport alone (kills count over all pools).
  const observed = run.expectations.observed;
  const own = checkExpectations(run.scenario.expectations, {
    kills: observed.kills,
    failovers: observed.failovers,
    perTransport: { [transport]: observed.perTransport[transport] },
  });
  for (const message of own.failures) {
    const detail = `the faults did not bite as the scenario expects: ${message}`;
    out.push({ element: 'failure', type: 'fault-expectation', message, detail });
  }
  return out;
}

const replay = (run: JunitRun) => `replay: ${run.replay}`;

function tag(name: string, attrs: Record<string, string | number>, selfClosing = false): string {
  const pairs = Object.entries(attrs).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`);
  return `<${name}${pairs.join('')}${selfClosing ? '/>' : '>'}`;
}

/** Text safe in XML content and attributes: the five entities, no characters XML forbids. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- the control characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}
