/** Largest pool the supervisor runs (its `scale` refuses more). */
export const MAX_POOL_SIZE = 256;

/**
 * A pool size as written by a person or a URL: decimal digits only, 0 to MAX_POOL_SIZE.
 * `Number` alone would take '' as 0 and '0x10' as 16. Undefined when not such a number.
 */
export function parsePoolSize(raw: string | null | undefined): number | undefined {
  if (raw === null || raw === undefined || !/^[0-9]{1,4}$/.test(raw)) return undefined;
  const size = Number(raw);
  return size <= MAX_POOL_SIZE ? size : undefined;
}

export const POOL_SIZE_RULE = `a whole number from 0 to ${MAX_POOL_SIZE}, in decimal digits`;
