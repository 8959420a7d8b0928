/**
 * Field checks the fault packages share; each returns the problems it found, prefixed
 * with the field's path, in the words the scenario validator has always used.
 */
export const specChecks = {
  /** An optional whole number >= `min`. */
  optionalWhole(value: unknown, min: number, path: string): string[] {
    return value === undefined ? [] : specChecks.whole(value, min, path);
  },

  whole(value: unknown, min: number, path: string): string[] {
    return Number.isInteger(value) && (value as number) >= min
      ? []
      : [`${path}: a whole number >= ${min}`];
  },

  /** An optional finite number >= `min`. */
  optionalAtLeast(value: unknown, min: number, path: string): string[] {
    if (value === undefined) return [];
    return typeof value === 'number' && Number.isFinite(value) && value >= min
      ? []
      : [`${path}: >= ${min}`];
  },

  /** One of `allowed`, quoting what it got. */
  oneOf(value: unknown, allowed: readonly string[], path: string, what: string): string[] {
    return allowed.includes(value as string) ? [] : [`${path}: unknown ${what} "${String(value)}"`];
  },
};
