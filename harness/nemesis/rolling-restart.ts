import { setTimeout as sleep } from 'node:timers/promises';
import { poolsOf } from './pools-of.ts';
import { specChecks } from './spec-checks.ts';
import { KILLS_NONE, NOTHING_TO_HEAL, type FaultPackage } from './types.ts';

/** SIGTERM every worker in turn, waiting `intervalMs` (default 1000) between them; each
 * drains and the supervisor replaces it. */
export interface RollingRestartSpec {
  kind: 'rolling-restart';
  intervalMs?: number;
}

export const rollingRestart: FaultPackage<RollingRestartSpec> = {
  kind: 'rolling-restart',
  fields: ['intervalMs'],
  validate: (spec, path) => specChecks.optionalAtLeast(spec.intervalMs, 0, `${path}.intervalMs`),
  instant: true,
  hitsPools: true,
  kills: KILLS_NONE,
  async start(ctx, spec, transports) {
    const restarted: string[] = [];
    for (const pool of poolsOf(ctx, transports)) {
      const pids = await pool.runningPids();
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGTERM');
          restarted.push(`${pool.transport}:${pid}`);
        } catch {
          // Died on its own meanwhile.
        }
        await sleep(spec.intervalMs ?? 1000);
      }
    }
    return { target: restarted.join(','), heal: NOTHING_TO_HEAL };
  },
  label: 'rolling-restart',
};
