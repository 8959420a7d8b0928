import { poolsOf } from './pools-of.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** SIGTERM the pool (graceful drain); heal: start it again. */
export interface StopPoolSpec {
  kind: 'stop-pool';
}

export const stopPool: FaultPackage<StopPoolSpec> = {
  kind: 'stop-pool',
  fields: [],
  validate: () => [],
  instant: false,
  hitsPools: true,
  kills: KILLS_NONE,
  async start(ctx, _spec, transports) {
    const pools = poolsOf(ctx, transports);
    await Promise.all(pools.map((p) => p.stop()));
    return {
      target: pools.map((p) => p.transport).join(','),
      heal: async () => void (await Promise.all(pools.map((p) => p.start()))),
    };
  },
  label: 'stop-pool',
};
