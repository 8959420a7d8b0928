import { kafkaClientProxy, kafkaPeerProxy, KAFKA_NODES } from '../infra/cluster-layout.ts';
import { busiestLeader, partitionLeader } from './kafka-roles.ts';
import { setEnabled } from './proxy-down.ts';
import { holderOtherThan, roleAfter, roleTarget } from './role-fault.ts';
import { specChecks } from './spec-checks.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** Cut every link of one Kafka node (its client proxies and both directions to each peer);
 * default node: the leader of the busiest partition. Heal: the links come back. The node
 * lives on, believing what it believed: its direct listener (the harness's) stays up. */
export interface IsolateNodeSpec {
  kind: 'isolate-node';
  node?: number;
}

/** Every proxy that carries node `n`'s traffic. */
export function nodeLinks(n: number): string[] {
  const peers = KAFKA_NODES.filter((m) => m !== n);
  return [
    kafkaClientProxy('producer', n),
    kafkaClientProxy('workers', n),
    ...peers.flatMap((m) =>
      (['controller', 'replication'] as const).flatMap((kind) => [
        kafkaPeerProxy(kind, n, m),
        kafkaPeerProxy(kind, m, n),
      ]),
    ),
  ];
}

export const isolateNode: FaultPackage<IsolateNodeSpec> = {
  kind: 'isolate-node',
  fields: ['node'],
  validate: (spec, path) =>
    spec.node === undefined
      ? []
      : specChecks.oneOf(String(spec.node), KAFKA_NODES.map(String), `${path}.node`, 'Kafka node'),
  instant: false,
  hitsPools: false,
  topology: 'cluster',
  // Workers fetching from it stay cut off holding what they fetched.
  allowsZombies: true,
  kills: KILLS_NONE,
  async start(ctx, spec) {
    const { topic } = ctx.config.kafka;
    const busiest = await busiestLeader(ctx.infra, topic);
    const node = spec.node ?? busiest.node;
    const links = nodeLinks(node);
    await setEnabled(ctx.toxiproxy, links, false);
    const role =
      node === busiest.node ? `leader of ${topic}-${busiest.partition}` : `kafka node ${node}`;
    return {
      target: roleTarget(role, node),
      detail: { role, node, partition: busiest.partition, links: links.length },
      heal: async () => {
        try {
          const read = () => partitionLeader(ctx.infra, topic, busiest.partition, [node]);
          return roleAfter(role, busiest.node, await holderOtherThan(busiest.node, read));
        } finally {
          await setEnabled(ctx.toxiproxy, links, true);
        }
      },
    };
  },
  label: 'isolate-node',
};
