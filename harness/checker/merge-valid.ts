import type { Validity } from './types.ts';

/** Jepsen's `merge-valid`: false beats 'unknown' beats true; nothing to merge is true. */
export function mergeValid(values: Iterable<Validity>): Validity {
  let merged: Validity = true;
  for (const v of values) {
    if (v === false) return false;
    if (v === 'unknown') merged = 'unknown';
  }
  return merged;
}
