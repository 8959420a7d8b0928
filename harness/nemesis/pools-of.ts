import type { TransportName } from '../../lib/envelope.ts';
import type { WorkerPool } from '../worker-pool.ts';
import type { NemesisContext } from './types.ts';

/** The running pools of `transports` (a transport without a pool is skipped). */
export function poolsOf(ctx: NemesisContext, transports: readonly TransportName[]): WorkerPool[] {
  return transports.flatMap((t) => {
    const pool = ctx.pools.get(t);
    return pool ? [pool] : [];
  });
}
