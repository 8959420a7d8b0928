import { busiestLeader, kafkaServer, partitionLeader } from './kafka-roles.ts';
import { holderOtherThan, roleAfter, roleTarget } from './role-fault.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** SIGSTOP the Kafka node leading the busiest partition (held past the fencing timeouts,
 * it loses its leaderships while it sleeps); heal: SIGCONT, and it learns it was fenced. */
export interface PauseLeaderSpec {
  kind: 'pause-leader';
}

function signal(pid: number | undefined, sig: 'SIGSTOP' | 'SIGCONT'): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, sig);
  } catch {
    // Gone: nothing to pause or wake.
  }
}

export const pauseLeader: FaultPackage<PauseLeaderSpec> = {
  kind: 'pause-leader',
  fields: [],
  validate: () => [],
  instant: false,
  hitsPools: false,
  topology: 'cluster',
  kills: KILLS_NONE,
  async start(ctx) {
    const { topic } = ctx.config.kafka;
    const { partition, node } = await busiestLeader(ctx.infra, topic);
    const pid = kafkaServer(ctx.infra, node).pid;
    signal(pid, 'SIGSTOP');
    const role = `leader of ${topic}-${partition}`;
    return {
      target: roleTarget(role, node),
      detail: { role, node, partition, pid },
      heal: async () => {
        try {
          const read = () => partitionLeader(ctx.infra, topic, partition, [node]);
          return roleAfter(role, node, await holderOtherThan(node, read));
        } finally {
          signal(pid, 'SIGCONT');
        }
      },
    };
  },
  label: 'pause-leader',
};
