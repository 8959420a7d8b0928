import type { TransportName } from '../lib/envelope.ts';
import type { CheckResult, TransportResult } from './checker.ts';
import type { ExpectationResult } from './expectations.ts';

/** The terminal summary: one fixed-width row per transport, then verdict and reasons. */
const COLUMNS: [header: string, value: (r: TransportResult) => string | number][] = [
  ['attempted', (r) => r.attempted],
  ['ok', (r) => r.ok],
  ['fail', (r) => r.fail],
  ['info', (r) => r.info],
  ['processed', (r) => r.processed],
  ['lost', (r) => r.lost],
  ['unexp', (r) => r.unexpected],
  ['double', (r) => r.doubleEffects],
  ['redeliv', (r) => r.redeliveries],
  ['recov', (r) => r.recovered],
  ['dlq', (r) => r.deadLettered],
  ['pending', (r) => r.pending ?? '?'],
  ['p50ms', (r) => r.latencyMs.p50 ?? '-'],
  ['p99ms', (r) => r.latencyMs.p99 ?? '-'],
  ['maxms', (r) => r.latencyMs.max ?? '-'],
  ['valid', (r) => String(r.valid)],
];

const verdict = (v: CheckResult['valid']) =>
  v === true ? 'VALID' : v === false ? 'INVALID' : 'UNKNOWN';

export function formatSummary(result: CheckResult, expectations?: ExpectationResult): string {
  const rows = (Object.entries(result.perTransport) as [TransportName, TransportResult][]).map(
    ([t, r]) => [t, ...COLUMNS.map(([, get]) => String(get(r)))],
  );
  const header = ['transport', ...COLUMNS.map(([h]) => h)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  out.push('', `checker: ${verdict(result.valid)}`);
  if (result.anomalies.length > 0) out.push(`anomalies: ${result.anomalies.join(', ')}`);
  for (const [key, ids] of Object.entries(result.samples)) {
    const kind = key.slice(key.indexOf('/') + 1);
    if ((result.anomalies as string[]).includes(kind)) out.push(`  ${key}: ${ids.join(' ')}`);
  }
  for (const reason of result.unknownReasons) out.push(`unknown: ${reason}`);
  for (const w of result.recovery) {
    const parts = Object.entries(w.perTransport).map(
      ([t, r]) => `${t} first ${r.firstEffectMs ?? '-'}ms backlog ${r.backlogMs ?? '-'}ms`,
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
