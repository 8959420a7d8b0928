import type { TransportName } from '../lib/envelope.ts';
import { COLUMNS, type CheckResult, type Column, type TransportResult } from './checker/index.ts';
import type { ExpectationResult } from './expectations.ts';
import { LOST_CLASS_TEXT } from './summary-table.ts';

/** The self-contained report page: inline CSS and SVG, no script, readable offline. */
export interface HtmlParts {
  scenario: string;
  seed: string;
  startedAt: number;
  result: CheckResult<string>;
  /** The checker's columns (default: those of the standard rule list). */
  columns?: readonly Column[];
  expectations?: ExpectationResult;
  timelineSvg: string;
  latencySvg: string;
  meta?: Record<string, unknown>;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}code{font-size:12px}
.valid{color:#1a7f37}.invalid{color:#c62828}.unknown{color:#9a6700}
`;

const cls = (v: CheckResult['valid']) =>
  v === true ? 'valid' : v === false ? 'invalid' : 'unknown';
const label = (v: CheckResult['valid']) =>
  v === true ? 'valid' : v === false ? 'INVALID' : 'unknown';

/** One row per checker column (every one, report-only ones included), then the verdict. */
function countsTable(result: CheckResult<string>, columns: readonly Column[]): string {
  const entries = Object.entries(result.perTransport) as [TransportName, TransportResult<string>][];
  const rows: [string, (r: TransportResult<string>) => unknown][] = [
    ...columns.map((c): [string, (r: TransportResult<string>) => unknown] => [
      c.label,
      (r) => c.value(r) ?? c.blank ?? '-',
    ]),
    ['valid', (r) => label(r.valid)],
  ];
  const head = `<tr><th></th>${entries.map(([t]) => `<th>${t}</th>`).join('')}</tr>`;
  const body = rows.map(
    ([name, get]) =>
      `<tr><td>${escapeHtml(name)}</td>${entries.map(([, r]) => `<td>${escapeHtml(String(get(r)))}</td>`).join('')}</tr>`,
  );
  return `<table>${head}${body.join('')}</table>`;
}

function recoveryTable(result: CheckResult<string>): string {
  if (result.recovery.length === 0) return '<p>No faults.</p>';
  const rows = result.recovery.map((w) => {
    const cells = Object.entries(w.perTransport)
      .map(
        ([t, r]) =>
          `${t}: first ${r.firstEffectMs ?? '-'} ms, backlog ${r.backlogMs ?? '-'} ms, gap ${r.longestGapMs} ms, publish unavailable ${r.unavailableMs ?? '-'} ms, consumption stall ${r.stallMs ?? '-'} ms`,
      )
      .join('<br>');
    return `<tr><td>${escapeHtml(w.target ? `${w.fault} ${w.target}` : w.fault)}</td><td>${(w.start / 1000).toFixed(1)}</td><td>${(w.heal / 1000).toFixed(1)}</td><td style="text-align:left">${cells}</td></tr>`;
  });
  return `<table><tr><th>fault</th><th>start s</th><th>heal s</th><th>recovery</th></tr>${rows.join('')}</table>
<p><small>first: heal to the first sink effect after it; backlog: heal to the last effect of events sent before the heal; gap: longest time without effects inside the fault window; publish unavailable: first failed request after the fault began to the next ok; consumption stall: longest time, until the fault's backlog cleared, that events waited and none was applied.</small></p>`;
}

export function renderHtml(p: HtmlParts): string {
  const r = p.result;
  const samples = Object.entries(r.samples)
    .map(([k, ids]) => {
      const classes = r.perTransport[k.slice(0, k.indexOf('/')) as TransportName]?.lostClasses;
      const shown = ids.map((id) => {
        const c = classes?.[id];
        return c === undefined ? id : `${id} (${LOST_CLASS_TEXT[c] ?? c})`;
      });
      return `<li><code>${escapeHtml(k)}</code>: <code>${escapeHtml(shown.join(' '))}</code></li>`;
    })
    .join('');
  const breaches = Object.entries(r.perTransport).flatMap(([t, tr]) =>
    (tr.availabilityBreaches ?? []).map(
      (b) => `<p class="invalid">${escapeHtml(`${t}: ${b}`)}</p>`,
    ),
  );
  const expectations = p.expectations
    ? `<h2>Fault signals: <span class="${p.expectations.met ? 'valid' : 'invalid'}">${p.expectations.met ? 'observed' : 'missing'}</span></h2>
<ul>${p.expectations.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(p.scenario)}: ${label(r.valid)}</title>
<style>${STYLE}</style></head><body>
<h1>Scenario <code>${escapeHtml(p.scenario)}</code>: <span class="${cls(r.valid)}">${label(r.valid)}</span></h1>
<p>seed <code>${escapeHtml(p.seed)}</code>, started ${new Date(p.startedAt).toISOString()}</p>
${r.anomalies.length > 0 ? `<p class="invalid">Anomalies: ${r.anomalies.join(', ')}</p>` : ''}
${breaches.join('')}
${r.unknownReasons.map((x) => `<p class="unknown">Unknown: ${escapeHtml(x)}</p>`).join('')}
${expectations}
<h2>Counts</h2>${countsTable(r, p.columns ?? COLUMNS)}
<h2>Timeline</h2>${p.timelineSvg}
<h2>Latency</h2>${p.latencySvg}
<h2>Recovery after faults</h2>${recoveryTable(r)}
${samples ? `<h2>Sample ids</h2><ul>${samples}</ul>` : ''}
${p.meta ? `<h2>Run</h2><pre>${escapeHtml(JSON.stringify(p.meta, null, 2))}</pre>` : ''}
</body></html>
`;
}
