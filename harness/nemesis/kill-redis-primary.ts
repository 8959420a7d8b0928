import { redisPrimary } from './redis-roles.ts';
import { roleTarget } from './role-fault.ts';
import { primaryAfter } from './redis-failover.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** kill -9 the broker Redis primary the Sentinels name (they promote the replica); heal:
 * restart it, and Sentinel turns it into the new primary's replica. */
export interface KillRedisPrimarySpec {
  kind: 'kill-redis-primary';
}

export const killRedisPrimary: FaultPackage<KillRedisPrimarySpec> = {
  kind: 'kill-redis-primary',
  fields: [],
  validate: () => [],
  instant: false,
  hitsPools: false,
  topology: 'cluster',
  kills: KILLS_NONE,
  async start(ctx) {
    const { server, announced } = await redisPrimary(ctx.infra);
    const pid = server.pid;
    await server.kill();
    return {
      target: roleTarget('redis primary', server.name),
      detail: { role: 'redis primary', node: server.name, announced, pid },
      heal: async () => {
        const after = await primaryAfter(ctx.infra, server.name);
        await server.restart();
        return after;
      },
    };
  },
  label: 'kill-redis-primary',
};
