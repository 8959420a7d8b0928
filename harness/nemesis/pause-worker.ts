import { poolsOf } from './pools-of.ts';
import { specChecks } from './spec-checks.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** SIGSTOP `count` (default 1) workers of a pool: they hold their events and stop
 * heartbeating; heal: SIGCONT. */
export interface PauseWorkerSpec {
  kind: 'pause-worker';
  count?: number;
}

function resume(pids: readonly number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Already gone.
    }
  }
  return Promise.resolve();
}

export const pauseWorker: FaultPackage<PauseWorkerSpec> = {
  kind: 'pause-worker',
  fields: ['count'],
  validate: (spec, path) => specChecks.optionalWhole(spec.count, 1, `${path}.count`),
  instant: false,
  hitsPools: true,
  // A SIGSTOPped worker wakes still holding its events.
  allowsZombies: true,
  kills: KILLS_NONE,
  async start(ctx, spec, transports) {
    const paused: number[] = [];
    const names: string[] = [];
    for (const pool of poolsOf(ctx, transports)) {
      const running = await pool.runningPids();
      for (const pid of ctx.random.shuffle(running).slice(0, spec.count ?? 1)) {
        process.kill(pid, 'SIGSTOP');
        paused.push(pid);
        names.push(`${pool.transport}:${pid}`);
      }
    }
    return { target: names.join(','), heal: () => resume(paused) };
  },
  label: 'pause-worker',
};
