import { setTimeout as sleep } from 'node:timers/promises';
import type { TransportName } from '../../lib/envelope.ts';
import type { WorkerPool } from '../processes.ts';
import type { FaultSpec } from '../../scenarios/types.ts';
import { NOTHING_TO_HEAL, type NemesisContext, type Nemesis } from './types.ts';

type Fault<K extends FaultSpec['kind']> = Extract<FaultSpec, { kind: K }>;

function poolsOf(ctx: NemesisContext, transports: readonly TransportName[]): WorkerPool[] {
  return transports.flatMap((t) => {
    const pool = ctx.pools.get(t);
    return pool ? [pool] : [];
  });
}

/** SIGKILL `count` workers of each pool; the supervisors respawn them. */
export const killWorker: Nemesis<Fault<'kill-worker'>> = async (ctx, fault, transports) => {
  const killed: string[] = [];
  for (const pool of poolsOf(ctx, transports)) {
    for (let i = 0; i < (fault.count ?? 1); i++) {
      const pid = await pool.signalWorker('SIGKILL', (pids) => ctx.random.pick(pids));
      killed.push(`${pool.transport}:${pid}`);
    }
  }
  return { target: killed.join(','), detail: { count: killed.length }, heal: NOTHING_TO_HEAL };
};

/** SIGSTOP workers (they hold their events and stop heartbeating); heal: SIGCONT. */
export const pauseWorker: Nemesis<Fault<'pause-worker'>> = async (ctx, fault, transports) => {
  const paused: number[] = [];
  const names: string[] = [];
  for (const pool of poolsOf(ctx, transports)) {
    const running = await pool.runningPids();
    for (const pid of ctx.random.shuffle(running).slice(0, fault.count ?? 1)) {
      process.kill(pid, 'SIGSTOP');
      paused.push(pid);
      names.push(`${pool.transport}:${pid}`);
    }
  }
  return {
    target: names.join(','),
    heal: () => {
      for (const pid of paused) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // Already gone.
        }
      }
      return Promise.resolve();
    },
  };
};

/** SIGKILL a whole pool, primary included; heal: start it again. */
export const killPool: Nemesis<Fault<'kill-pool'>> = async (ctx, _fault, transports) => {
  const pools = poolsOf(ctx, transports);
  await Promise.all(pools.map((p) => p.kill()));
  return {
    target: pools.map((p) => p.transport).join(','),
    heal: async () => void (await Promise.all(pools.map((p) => p.start()))),
  };
};

/** SIGTERM a whole pool (graceful drain); heal: start it again. */
export const stopPool: Nemesis<Fault<'stop-pool'>> = async (ctx, _fault, transports) => {
  const pools = poolsOf(ctx, transports);
  await Promise.all(pools.map((p) => p.stop()));
  return {
    target: pools.map((p) => p.transport).join(','),
    heal: async () => void (await Promise.all(pools.map((p) => p.start()))),
  };
};

/** SIGTERM every worker in turn; each drains and the supervisor replaces it. */
export const rollingRestart: Nemesis<Fault<'rolling-restart'>> = async (ctx, fault, transports) => {
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
      await sleep(fault.intervalMs ?? 1000);
    }
  }
  return { target: restarted.join(','), heal: NOTHING_TO_HEAL };
};

/** Resizes pools (members join and leave: rebalances); heal: back to the original size. */
export const scalePool: Nemesis<Fault<'scale-pool'>> = async (ctx, fault, transports) => {
  const pools = poolsOf(ctx, transports);
  const original = new Map(pools.map((p) => [p, p.size]));
  await Promise.all(pools.map((p) => p.scale(fault.size)));
  return {
    target: pools.map((p) => p.transport).join(','),
    detail: { size: fault.size },
    heal: async () =>
      void (await Promise.all(pools.map((p) => p.scale(original.get(p) ?? p.size)))),
  };
};
