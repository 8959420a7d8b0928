import { kafkaPeerProxy, KAFKA_NODES, redisPeerProxy } from '../infra/cluster-layout.ts';
import type { Infra } from '../infra/types.ts';
import { redisPrimary } from './redis-roles.ts';
import { specChecks } from './spec-checks.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/**
 * Latency on the replication links of one broker: Kafka, every follower's fetch link (the
 * replies, leader to follower); Redis, the primary's peer link (its replication stream to
 * the replica; the Sentinels' checks of it share the link and slow too). Acknowledged
 * writes must still survive: this is where an unsafe ack setting loses them. Heal: removed.
 */
export interface ReplicationLagSpec {
  kind: 'replication-lag';
  broker: 'kafka' | 'redis';
  latencyMs: number;
}

const BROKERS = ['kafka', 'redis'] as const;

/** The links a broker's replication takes, by broker. */
const REPLICATION_LINKS: Record<ReplicationLagSpec['broker'], (infra: Infra) => Promise<string[]>> =
  {
    kafka: () =>
      Promise.resolve(
        KAFKA_NODES.flatMap((from) =>
          KAFKA_NODES.filter((to) => to !== from).map((to) =>
            kafkaPeerProxy('replication', from, to),
          ),
        ),
      ),
    redis: async (infra) => {
      const { server } = await redisPrimary(infra);
      return [redisPeerProxy(Number(server.name.split('-')[1]))];
    },
  };

let lagCounter = 0;

export const replicationLag: FaultPackage<ReplicationLagSpec> = {
  kind: 'replication-lag',
  fields: ['broker', 'latencyMs'],
  validate: (spec, path) => [
    ...specChecks.oneOf(spec.broker, BROKERS, `${path}.broker`, 'broker'),
    ...specChecks.whole(spec.latencyMs, 1, `${path}.latencyMs`),
  ],
  instant: false,
  hitsPools: false,
  topology: 'cluster',
  kills: KILLS_NONE,
  async start(ctx, spec) {
    const links = await REPLICATION_LINKS[spec.broker](ctx.infra);
    const name = `replication-lag-${++lagCounter}`;
    for (const link of links) {
      const proxy = await ctx.toxiproxy.get(link);
      await proxy.addToxic({
        name,
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: spec.latencyMs, jitter: 0 },
      });
    }
    return {
      target: links.join(','),
      detail: { broker: spec.broker, latencyMs: spec.latencyMs },
      heal: async () => {
        for (const link of links) {
          const proxy = await ctx.toxiproxy.get(link);
          await (await proxy.getToxic(name)).remove();
        }
      },
    };
  },
  label: 'replication-lag',
};
