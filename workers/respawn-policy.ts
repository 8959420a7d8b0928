import { backoffMs } from '../lib/retry.ts';

export interface RespawnPolicyOptions {
  /** Delay before replacing a worker that ran normally (ms). */
  respawnMinMs: number;
  /** Longest delay for a crash-looping worker (ms). */
  respawnMaxMs: number;
  /** A worker that dies sooner than this after its start counts as a fast exit (ms). */
  minUptimeMs: number;
}

/** Never hot-loop, even with RESPAWN_BACKOFF_MIN_MS=0. */
const CRASH_LOOP_FLOOR_MS = 50;

/**
 * Per-slot respawn backoff. A worker that ran at least `minUptimeMs` is replaced after
 * `respawnMinMs`; each consecutive fast exit doubles the delay up to `respawnMaxMs`.
 * Returns the delay and the new count of consecutive fast exits.
 */
export function nextRespawn(
  options: RespawnPolicyOptions,
  uptimeMs: number,
  fastExits: number,
): { delayMs: number; fastExits: number } {
  if (uptimeMs >= options.minUptimeMs) return { delayMs: options.respawnMinMs, fastExits: 0 };
  const n = fastExits + 1;
  const baseMs = Math.max(options.respawnMinMs, CRASH_LOOP_FLOOR_MS);
  // No jitter: a slot is one process, there is no herd to spread, and the delays stay as
  // documented (100 ms minimum: 200, 400, 800, ... up to the maximum).
  const delayMs = backoffMs(n + 1, {
    baseMs,
    maxMs: Math.max(options.respawnMaxMs, baseMs),
    jitter: 'none',
  });
  return { delayMs, fastExits: n };
}
