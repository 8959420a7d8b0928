import { activeController, kafkaServer } from './kafka-roles.ts';
import { holderOtherThan, roleAfter, roleTarget } from './role-fault.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** kill -9 the active KRaft controller (the metadata quorum's leader, by DescribeQuorum;
 * combined nodes, so a broker dies with it); heal: restart it. */
export interface KillControllerSpec {
  kind: 'kill-controller';
}

export const killController: FaultPackage<KillControllerSpec> = {
  kind: 'kill-controller',
  fields: [],
  validate: () => [],
  instant: false,
  hitsPools: false,
  topology: 'cluster',
  kills: KILLS_NONE,
  async start(ctx) {
    const node = await activeController(ctx.infra);
    const server = kafkaServer(ctx.infra, node);
    const pid = server.pid;
    await server.kill();
    const role = 'active controller';
    return {
      target: roleTarget(role, node),
      detail: { role, node, pid },
      heal: async () => {
        const after = await holderOtherThan(node, () => activeController(ctx.infra, [node]));
        await server.restart();
        return roleAfter(role, node, after);
      },
    };
  },
  label: 'kill-controller',
};
