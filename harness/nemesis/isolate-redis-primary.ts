import { redisClientProxy, redisPeerProxy } from '../infra/cluster-layout.ts';
import { setEnabled } from './proxy-down.ts';
import { primaryAfter } from './redis-failover.ts';
import { redisPrimary } from './redis-roles.ts';
import { roleTarget } from './role-fault.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** Cut the broker Redis primary off from its clients, its replica and the Sentinels (its
 * client proxies and its peer proxy); the Sentinels promote the replica and the cut-off
 * primary refuses writes once its replica is silent. Heal: the links come back and Sentinel
 * demotes it to a replica. */
export interface IsolateRedisPrimarySpec {
  kind: 'isolate-redis-primary';
}

export const isolateRedisPrimary: FaultPackage<IsolateRedisPrimarySpec> = {
  kind: 'isolate-redis-primary',
  fields: [],
  validate: () => [],
  instant: false,
  hitsPools: false,
  topology: 'cluster',
  allowsZombies: true,
  kills: KILLS_NONE,
  async start(ctx) {
    const { server, announced } = await redisPrimary(ctx.infra);
    const n = Number(server.name.split('-')[1]);
    const links = [
      redisClientProxy('producer', n),
      redisClientProxy('workers', n),
      redisPeerProxy(n),
    ];
    await setEnabled(ctx.toxiproxy, links, false);
    return {
      target: roleTarget('redis primary', server.name),
      detail: { role: 'redis primary', node: server.name, announced, links: links.length },
      heal: async () => {
        try {
          return await primaryAfter(ctx.infra, server.name);
        } finally {
          await setEnabled(ctx.toxiproxy, links, true);
        }
      },
    };
  },
  label: 'isolate-redis-primary',
};
