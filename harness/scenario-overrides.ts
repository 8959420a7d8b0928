import type { Scenario } from './scenario.ts';
import type { ScenarioArgs } from './cli/scenario-args.ts';

/**
 * Applies CLI overrides to a scenario, returning a new one. `--duration` caps the load
 * phase (the generator stops issuing at that point) rather than changing the rate.
 */
export interface LoadOverrides {
  messages?: number;
  rate?: number;
  durationSec?: number;
  transports?: ScenarioArgs['transports'];
  workers?: number;
  /** Requests in flight per transport. */
  concurrency?: number;
  /** Extra environment of the run's services and the harness (e.g. KAFKA_CLIENT). */
  env?: Readonly<Record<string, string>>;
}

export function applyOverrides(scenario: Scenario, o: LoadOverrides): Scenario {
  return {
    ...scenario,
    ...(o.transports ? { transports: o.transports } : {}),
    load: {
      ...scenario.load,
      ...(o.messages !== undefined ? { messages: o.messages } : {}),
      ...(o.rate !== undefined ? { ratePerSec: o.rate } : {}),
      ...(o.durationSec !== undefined ? { durationSec: o.durationSec } : {}),
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    },
    workers: {
      ...scenario.workers,
      ...(o.workers !== undefined ? { size: o.workers } : {}),
      ...(o.env ? { env: { ...scenario.workers.env, ...o.env } } : {}),
    },
  };
}
