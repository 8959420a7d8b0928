import { setTimeout as sleep } from 'node:timers/promises';
import type { Toxiproxy } from 'toxiproxy-node-client';
import type { TransportName } from '../lib/envelope.ts';
import { errorMessage } from '../lib/errors.ts';
import type { HistorySink, RunClock } from './history.ts';
import type { Infra } from './infra/types.ts';
import { faultPackage, type ActiveFault, type NemesisContext } from './nemesis/index.ts';
import type { WorkerPool } from './worker-pool.ts';
import type { FaultStep } from './scenario.ts';

export interface FaultTimeline {
  /** Starts each step at its time (seconds after `loadStartMs`) and heals it `healAfter` later. */
  run(schedule: readonly FaultStep[], loadStartMs: number): Promise<void>;
  /** The final phase: heals what is still in force, clears the network, restarts what is down. */
  healEverything(
    toxiproxy: Toxiproxy,
    infra: Infra,
    pools: ReadonlyMap<TransportName, WorkerPool>,
  ): Promise<void>;
  /** Faults in force now, e.g. `proxy-down kafka-workers` (for progress lines). */
  active(): string[];
}

/**
 * Drives the nemeses through a run and writes every fault's start and heal into the
 * history, so the checker can measure recovery after each heal.
 */
export function createFaultTimeline(
  ctx: NemesisContext,
  history: HistorySink,
  clock: RunClock,
): FaultTimeline {
  const inForce = new Map<number, { name: string; fault: ActiveFault }>();
  let nextKey = 0;

  const record = (
    phase: 'start' | 'heal',
    name: string,
    target?: string,
    detail?: Record<string, unknown>,
  ) => history.append({ type: 'fault', phase, fault: name, target, ...clock.now(), detail });

  const heal = async (key: number) => {
    const entry = inForce.get(key);
    if (!entry || !inForce.delete(key)) return; // healed already
    const found = await entry.fault.heal().catch(() => undefined);
    record('heal', entry.name, entry.fault.target, found ? { ...found } : undefined);
  };

  return {
    async run(schedule, loadStartMs) {
      const heals: Promise<void>[] = [];
      for (const step of schedule) {
        const wait = loadStartMs + step.at * 1000 - clock.now().time;
        if (wait > 0) await sleep(wait);
        const pkg = faultPackage(step.fault);
        const name = pkg.label;
        let fault: ActiveFault;
        try {
          fault = await pkg.start(ctx, step.fault, step.pools ?? ctx.transports);
        } catch (err) {
          // A fault that could not start is recorded as a zero-length window, with why.
          record('start', name, undefined, { error: errorMessage(err) });
          record('heal', name);
          continue;
        }
        record('start', name, fault.target, fault.detail);
        if (step.healAfter === undefined) {
          record('heal', name, fault.target);
          continue;
        }
        const key = nextKey++;
        inForce.set(key, { name, fault });
        heals.push(sleep(step.healAfter * 1000).then(() => heal(key)));
      }
      await Promise.all(heals);
    },

    async healEverything(toxiproxy, infra, pools) {
      for (const key of [...inForce.keys()]) await heal(key);
      await toxiproxy.reset();
      for (const server of infra.servers.values()) if (!server.running) await server.restart();
      for (const pool of pools.values()) if (!pool.running) await pool.start();
    },

    active: () => [...inForce.values()].map((a) => `${a.name} ${a.fault.target}`),
  };
}
