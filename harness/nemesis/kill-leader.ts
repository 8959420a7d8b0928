import { busiestLeader, kafkaServer, partitionLeader } from './kafka-roles.ts';
import { holderOtherThan, roleAfter, roleTarget } from './role-fault.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** kill -9 the Kafka node leading the busiest partition of the events topic; heal: restart
 * it (it rejoins as a follower and catches up). */
export interface KillLeaderSpec {
  kind: 'kill-leader';
}

export const killLeader: FaultPackage<KillLeaderSpec> = {
  kind: 'kill-leader',
  fields: [],
  validate: () => [],
  instant: false,
  hitsPools: false,
  topology: 'cluster',
  kills: KILLS_NONE,
  async start(ctx) {
    const { topic } = ctx.config.kafka;
    const { partition, node } = await busiestLeader(ctx.infra, topic);
    const server = kafkaServer(ctx.infra, node);
    const pid = server.pid;
    await server.kill();
    const role = `leader of ${topic}-${partition}`;
    return {
      target: roleTarget(role, node),
      detail: { role, node, partition, pid },
      heal: async () => {
        const read = () => partitionLeader(ctx.infra, topic, partition, [node]);
        const after = await holderOtherThan(node, read);
        await server.restart();
        return roleAfter(role, node, after);
      },
    };
  },
  label: 'kill-leader',
};
