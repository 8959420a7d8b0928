import type { Config } from '../lib/config.ts';
import type { TransportName } from '../lib/envelope.ts';
import { driverFor } from '../lib/transports/registry.ts';
import { withTimeout } from '../lib/with-timeout.ts';
import type { HistorySink, RunClock } from './history.ts';
import type { WorkerPool } from './worker-pool.ts';

/**
 * Samples, about once a second per transport, what the report plots over time: the
 * broker's pending count (through the driver's inspector, over the direct link) and the
 * pool's restart count (its /state). Bounded and cheap: one sample in flight per transport
 * (a slow broker skips ticks rather than piling reads up), each read cut off after
 * `timeoutMs`, and every sample one `sample` entry streamed into the history.
 */
export interface RunSamplerOptions {
  transports: readonly TransportName[];
  config: Config;
  pools: ReadonlyMap<TransportName, WorkerPool>;
  history: HistorySink;
  clock: RunClock;
  intervalMs?: number;
  timeoutMs?: number;
}

export interface RunSampler {
  /** Stops sampling; resolves once the samples in flight are written. */
  stop(): Promise<void>;
}

export function startRunSampler(o: RunSamplerOptions): RunSampler {
  const timeoutMs = o.timeoutMs ?? 2000;
  const inspectors = new Map(o.transports.map((t) => [t, driverFor(t).inspect(o.config)]));
  const inFlight = new Map<TransportName, Promise<void>>();
  const read = <T>(p: Promise<T>): Promise<T | null> =>
    withTimeout(p, timeoutMs, () => new Error('sample timed out')).catch(() => null);

  /** Writes the sample once both reads answered or timed out; resolves when both ended. */
  const sample = (t: TransportName): Promise<unknown> => {
    const pool = o.pools.get(t);
    const pendingRead = inspectors.get(t)?.pending() ?? Promise.reject(new Error('no inspector'));
    const stateRead = pool?.running ? pool.state() : Promise.reject(new Error('pool down'));
    void Promise.all([read(pendingRead), read(stateRead)]).then(([pending, state]) =>
      o.history.append({
        type: 'sample',
        transport: t,
        pending: pending?.pending ?? null,
        restarts: state?.totalRestarts ?? null,
        ...o.clock.now(),
      }),
    );
    return Promise.allSettled([pendingRead, stateRead]);
  };

  // A read still running (a broker that does not answer) holds its transport's next tick.
  const timer = setInterval(() => {
    for (const t of o.transports) {
      if (inFlight.has(t)) continue;
      inFlight.set(t, sample(t).finally(() => inFlight.delete(t)) as Promise<void>);
    }
  }, o.intervalMs ?? 1000);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      // The reads in flight are bounded by timeoutMs as far as the history is concerned.
      await withTimeout(
        Promise.allSettled([...inFlight.values()]),
        timeoutMs,
        () => new Error(''),
      ).catch(() => undefined);
    },
  };
}
