import type { TransportName } from '../../lib/envelope.ts';
import { MEASURES } from './measures/index.ts';
import { SAFETY_RULES } from './rules/index.ts';
import type { CheckResult, Column, Measure, SafetyRule } from './types.ts';

/**
 * The columns of the terminal summary, the report's counts table and result.json's
 * `table`, taken from the units: the measures (what happened), then the safety rules
 * (what broke). The verdict is not a unit's column; each view adds it its own way.
 */
export function columnsOf(
  rules: readonly SafetyRule[],
  measures: readonly Measure[],
): readonly Column[] {
  return [...measures, ...rules].flatMap((u) => u.columns);
}

export const COLUMNS: readonly Column[] = columnsOf(SAFETY_RULES, MEASURES);

/** One row of raw values per transport, keyed by column key, plus the verdict. */
export function columnTable(
  result: CheckResult<string>,
  columns: readonly Column[] = COLUMNS,
): Partial<Record<TransportName, Record<string, number | string | boolean | null>>> {
  const table: Partial<Record<TransportName, Record<string, number | string | boolean | null>>> =
    {};
  for (const [t, r] of Object.entries(result.perTransport) as [
    TransportName,
    NonNullable<CheckResult<string>['perTransport'][TransportName]>,
  ][]) {
    table[t] = { ...Object.fromEntries(columns.map((c) => [c.key, c.value(r)])), valid: r.valid };
  }
  return table;
}
