import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How a delay is spread around its exponential value `e` (AWS "Exponential Backoff And
 * Jitter"): `none` is `e` itself, `full` is uniform in [0, e], `equal` is uniform in
 * [e/2, e]. Jitter keeps many clients that failed together from retrying together.
 */
export type Jitter = 'none' | 'full' | 'equal';

export interface BackoffOptions {
  /** Delay before the first retry, before jitter (ms). */
  baseMs: number;
  /** Longest delay, before jitter (ms). */
  maxMs: number;
  /** Growth per attempt; default 2. */
  factor?: number;
  /** Default `equal`: never less than half the exponential delay, so no hot retry loop. */
  jitter?: Jitter;
  /** Uniform in [0, 1); default Math.random. Inject a seeded one for repeatable delays. */
  random?: () => number;
}

/** The exponent is capped so a huge attempt count cannot overflow to Infinity or NaN. */
const MAX_EXPONENT = 30;

/**
 * Delay before retry number `attempt` (1 = the first retry): `baseMs * factor^(attempt-1)`,
 * capped at `maxMs`, then jittered. Whole milliseconds.
 */
export function backoffMs(attempt: number, options: BackoffOptions): number {
  const { baseMs, maxMs, factor = 2, jitter = 'equal', random = Math.random } = options;
  const exponent = Math.min(Math.max(Math.floor(attempt) - 1, 0), MAX_EXPONENT);
  const exp = Math.max(0, Math.min(baseMs * factor ** exponent, maxMs));
  if (jitter === 'none') return Math.round(exp);
  const r = random();
  if (jitter === 'full') return Math.round(exp * r);
  return Math.round(exp / 2 + (exp / 2) * r);
}

export interface RetryOptions extends BackoffOptions {
  /** Attempts in all, the first included; default unlimited. */
  attempts?: number;
  /** Once aborted, no further attempt is made (a pending delay ends at once). */
  signal?: AbortSignal;
  /** Told about each failure that will be retried, and after how long. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `fn` until it resolves, backing off between failures (`backoffMs`). Throws the last
 * error once `attempts` are used up or `signal` is aborted.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { attempts = Number.POSITIVE_INFINITY, signal, onRetry } = options;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= attempts || signal?.aborted) throw err;
      const delayMs = backoffMs(attempt, options);
      onRetry?.(err, attempt, delayMs);
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      if (signal?.aborted) throw err;
    }
  }
}
