import type { TransportName } from '../lib/envelope.ts';
import { COLUMNS, type CheckResult, type Column, type TransportResult } from './checker/index.ts';
import type { ExpectationResult } from './expectations.ts';

/**
 * The terminal summary: one fixed-width row per transport with the checker's columns
 * (those not marked report-only) and the verdict, then anomalies, samples and reasons.
 */
const verdict = (v: CheckResult['valid']) =>
  v === true ? 'VALID' : v === false ? 'INVALID' : 'UNKNOWN';

const cell = (c: Column, r: TransportResult<string>) => String(c.value(r) ?? c.blank ?? '-');

function table(result: CheckResult<string>, columns: readonly Column[]): string[] {
  const shown = columns.filter((c) => c.terminal !== false);
  const rows = (
    Object.entries(result.perTransport) as [TransportName, TransportResult<string>][]
  ).map(([t, r]) => [t, ...shown.map((c) => cell(c, r)), String(r.valid)]);
  const header = ['transport', ...shown.map((c) => c.short), 'valid'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** How the summary names where a lost id went (`measures/lost-classes.ts`). */
export const LOST_CLASS_TEXT: Readonly<Record<string, string>> = {
  'never-stored': 'never stored',
  'stored-undelivered': 'stored, never delivered',
  'delivered-unapplied': 'delivered, not applied',
  unclassified: 'not classified',
};

/** The sample lines of the broken rules; a lost id carries the class of where it went. */
function sampleLines(result: CheckResult<string>): string[] {
  const out: string[] = [];
  for (const [key, ids] of Object.entries(result.samples)) {
    const transport = key.slice(0, key.indexOf('/')) as TransportName;
    const kind = key.slice(key.indexOf('/') + 1);
    if (!result.anomalies.includes(kind)) continue;
    const classes = result.perTransport[transport]?.lostClasses ?? {};
    const shown = ids.map((id) => {
      const c = classes[id];
      return c === undefined ? id : `${id} (${LOST_CLASS_TEXT[c] ?? c})`;
    });
    out.push(`  ${key}: ${shown.join(' ')}`);
  }
  for (const [t, r] of Object.entries(result.perTransport)) {
    for (const breach of r.availabilityBreaches ?? []) out.push(`  ${t}: ${breach}`);
  }
  return out;
}

export function formatSummary(
  result: CheckResult<string>,
  expectations?: ExpectationResult,
  columns: readonly Column[] = COLUMNS,
): string {
  const out = table(result, columns);
  out.push('', `checker: ${verdict(result.valid)}`);
  if (result.anomalies.length > 0) out.push(`anomalies: ${result.anomalies.join(', ')}`);
  out.push(...sampleLines(result));
  for (const reason of result.unknownReasons) out.push(`unknown: ${reason}`);
  for (const w of result.recovery) {
    const parts = Object.entries(w.perTransport).map(
      ([t, r]) =>
        `${t} first ${r.firstEffectMs ?? '-'}ms backlog ${r.backlogMs ?? '-'}ms` +
        ` unavailable ${r.unavailableMs ?? '-'}ms stall ${r.stallMs ?? '-'}ms`,
    );
    const name = w.target ? `${w.fault} ${w.target}` : w.fault;
    out.push(`recovery after ${name} @${(w.heal / 1000).toFixed(1)}s: ${parts.join('; ')}`);
  }
  if (expectations) {
    out.push(`fault signals: ${expectations.met ? 'observed' : 'MISSING'}`);
    for (const f of expectations.failures) out.push(`  ${f}`);
  }
  return out.join('\n');
}
