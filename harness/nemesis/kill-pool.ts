import { killsCounted } from './kills-counted.ts';
import { poolsOf } from './pools-of.ts';
import type { FaultPackage } from './types.ts';

/** SIGKILL the pool's primary and all its workers; heal: start the pool again. */
export interface KillPoolSpec {
  kind: 'kill-pool';
}

export const killPool: FaultPackage<KillPoolSpec> = {
  kind: 'kill-pool',
  fields: [],
  validate: () => [],
  instant: false,
  hitsPools: true,
  // One per start, as the expectations have always counted it (no count is recorded).
  kills: killsCounted,
  async start(ctx, _spec, transports) {
    const pools = poolsOf(ctx, transports);
    await Promise.all(pools.map((p) => p.kill()));
    return {
      target: pools.map((p) => p.transport).join(','),
      heal: async () => void (await Promise.all(pools.map((p) => p.start()))),
    };
  },
  label: 'kill-pool',
};
