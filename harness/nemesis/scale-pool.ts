import { poolsOf } from './pools-of.ts';
import { specChecks } from './spec-checks.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** Resize the pool to `size` (members join and leave: rebalances); heal: back to the
 * size it had. */
export interface ScalePoolSpec {
  kind: 'scale-pool';
  size: number;
}

export const scalePool: FaultPackage<ScalePoolSpec> = {
  kind: 'scale-pool',
  fields: ['size'],
  validate: (spec, path) => specChecks.whole(spec.size, 1, `${path}.size`),
  instant: false,
  hitsPools: true,
  kills: KILLS_NONE,
  async start(ctx, spec, transports) {
    const pools = poolsOf(ctx, transports);
    const original = new Map(pools.map((p) => [p, p.size]));
    await Promise.all(pools.map((p) => p.scale(spec.size)));
    return {
      target: pools.map((p) => p.transport).join(','),
      detail: { size: spec.size },
      heal: async () =>
        void (await Promise.all(pools.map((p) => p.scale(original.get(p) ?? p.size)))),
    };
  },
  label: 'scale-pool',
};
