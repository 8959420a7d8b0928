import { killsCounted } from './kills-counted.ts';
import { poolsOf } from './pools-of.ts';
import { specChecks } from './spec-checks.ts';
import { NOTHING_TO_HEAL, type FaultPackage } from './types.ts';

/** SIGKILL `count` (default 1) workers of a pool; the supervisor respawns them. */
export interface KillWorkerSpec {
  kind: 'kill-worker';
  count?: number;
}

export const killWorker: FaultPackage<KillWorkerSpec> = {
  kind: 'kill-worker',
  fields: ['count'],
  validate: (spec, path) => specChecks.optionalWhole(spec.count, 1, `${path}.count`),
  instant: true,
  hitsPools: true,
  kills: killsCounted,
  async start(ctx, spec, transports) {
    const killed: string[] = [];
    for (const pool of poolsOf(ctx, transports)) {
      for (let i = 0; i < (spec.count ?? 1); i++) {
        const pid = await pool.signalWorker('SIGKILL', (pids) => ctx.random.pick(pids));
        killed.push(`${pool.transport}:${pid}`);
      }
    }
    return { target: killed.join(','), detail: { count: killed.length }, heal: NOTHING_TO_HEAL };
  },
  label: 'kill-worker',
};
