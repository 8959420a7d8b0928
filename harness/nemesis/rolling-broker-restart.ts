import { errorMessage } from '../../lib/errors.ts';
import { awaitWholeCluster } from '../cluster-health.ts';
import { KAFKA_NODES } from '../infra/cluster-layout.ts';
import { busiestLeader, kafkaServer, partitionLeader } from './kafka-roles.ts';
import { roleAfter, roleTarget } from './role-fault.ts';
import { KILLS_NONE, type FaultPackage, type HealDetail, type NemesisContext } from './types.ts';

/**
 * Restart every Kafka node in turn, the way an upgrade does: SIGTERM (a controlled
 * shutdown hands its leaderships over first), start it again on the same data dir, and wait
 * until the cluster is whole (the node back in every ISR) before the next one. The leader
 * of the busiest partition goes first. Runs in the background from the start; the heal
 * waits for the last node. A node that does not come back whole stops the roll there, as
 * an operator would.
 */
export interface RollingBrokerRestartSpec {
  kind: 'rolling-broker-restart';
}

/** How long one node may take to be back in every ISR before the roll stops. */
const WHOLE_WITHIN_MS = 60_000;

async function restartInTurn(
  ctx: NemesisContext,
  order: readonly number[],
  partition: number,
): Promise<HealDetail> {
  const { topic } = ctx.config.kafka;
  const restarts: { node: number; ms: number }[] = [];
  // Read before the leader is back in the ISR: preferred leaders return only later.
  let leaderAfterFirst = -1;
  for (const node of order) {
    const started = Date.now();
    await kafkaServer(ctx.infra, node).restart();
    if (node === order[0]) {
      leaderAfterFirst = await partitionLeader(ctx.infra, topic, partition).catch(() => -1);
    }
    const problems = await awaitWholeCluster(ctx.infra, WHOLE_WITHIN_MS);
    restarts.push({ node, ms: Date.now() - started });
    if (problems.length > 0) {
      return { restarts, stoppedAt: node, problems: problems.slice(0, 5) };
    }
  }
  const role = `leader of ${topic}-${partition}`;
  return { ...roleAfter(role, order[0] ?? -1, leaderAfterFirst), restarts };
}

export const rollingBrokerRestart: FaultPackage<RollingBrokerRestartSpec> = {
  kind: 'rolling-broker-restart',
  fields: [],
  validate: () => [],
  instant: false,
  hitsPools: false,
  topology: 'cluster',
  kills: KILLS_NONE,
  async start(ctx) {
    const { topic } = ctx.config.kafka;
    const { partition, node } = await busiestLeader(ctx.infra, topic);
    const order = [node, ...KAFKA_NODES.filter((n) => n !== node)];
    const done = restartInTurn(ctx, order, partition).catch((err: unknown) => ({
      error: errorMessage(err),
    }));
    const role = `leader of ${topic}-${partition}`;
    return {
      target: roleTarget(role, node),
      detail: { role, node, partition, order },
      heal: () => done,
    };
  },
  label: 'rolling-broker-restart',
};
