import { compose } from './compose.ts';
import { MEASURES } from './measures/index.ts';
import { SAFETY_RULES } from './rules/index.ts';
import type { AnomalyKind } from './types.ts';

/**
 * The checker: a pure function of the history and the final state of sink and brokers,
 * composed from one unit per rule (`rules/`) and per reported measure (`measures/`).
 * It never throws; anything it cannot judge makes the result `'unknown'` with a reason.
 */
export const check = compose(SAFETY_RULES, MEASURES);

/** The anomaly names, in rule order. */
export const ANOMALIES: readonly AnomalyKind[] = SAFETY_RULES.map((r) => r.name);

export { columnsOf, columnTable, COLUMNS } from './columns.ts';
export { compose, type Checker } from './compose.ts';
export { toSinkMap, zombieFaultLabels } from './inputs.ts';
export { mergeValid } from './merge-valid.ts';
export { MEASURES } from './measures/index.ts';
export { SAFETY_RULES } from './rules/index.ts';
export type * from './types.ts';
