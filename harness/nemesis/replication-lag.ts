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
  /** Delay of what the link carries; ignored with `drop`. */
  latencyMs?: number;
  /**
   * Drop what the link carries instead (Toxiproxy `timeout` 0), connection kept: a delayed
   * stream still arrives once its sender dies, a dropped one does not. The replica keeps
   * acknowledging the offset it has, so the primary still counts it online.
   */
  drop?: boolean;
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
  fields: ['broker', 'latencyMs', 'drop'],
  validate: (spec, path) => [
    ...specChecks.oneOf(spec.broker, BROKERS, `${path}.broker`, 'broker'),
    ...(spec.drop === true ? [] : specChecks.whole(spec.latencyMs, 1, `${path}.latencyMs`)),
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
        stream: 'downstream',
        toxicity: 1,
        ...(spec.drop === true
          ? { type: 'timeout' as const, attributes: { timeout: 0 } }
          : { type: 'latency' as const, attributes: { latency: spec.latencyMs ?? 0, jitter: 0 } }),
      });
    }
    return {
      target: links.join(','),
      detail: { broker: spec.broker, latencyMs: spec.latencyMs, drop: spec.drop === true },
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
