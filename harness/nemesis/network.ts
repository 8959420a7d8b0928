import type { Toxiproxy } from 'toxiproxy-node-client';
import type { TransportName } from '../../lib/envelope.ts';
import type { ProxyName } from '../infra/types.ts';
import type { FaultSpec, ProxyTarget } from '../../scenarios/types.ts';
import type { Nemesis } from './types.ts';

/** Expands a role to the links its transports use (BullMQ rides on the broker Redis). */
export function proxiesFor(target: ProxyTarget, transports: readonly TransportName[]): ProxyName[] {
  const usesKafka = transports.includes('kafka');
  const usesRedis = transports.includes('redis') || transports.includes('bullmq');
  const pick = (kafka: ProxyName, redis: ProxyName) => [
    ...(usesKafka ? [kafka] : []),
    ...(usesRedis ? [redis] : []),
  ];
  switch (target) {
    case 'producer':
      return pick('kafka-producer', 'redis-producer');
    case 'workers':
      return pick('kafka-workers', 'redis-workers');
    case 'sink':
      return ['sink-workers'];
    default:
      return [target];
  }
}

async function setEnabled(toxiproxy: Toxiproxy, names: readonly ProxyName[], enabled: boolean) {
  for (const name of names) {
    const proxy = await toxiproxy.get(name);
    await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
  }
}

/** Disables links: connections are cut and new ones refused. */
export const proxyDown: Nemesis<Extract<FaultSpec, { kind: 'proxy-down' }>> = async (
  ctx,
  fault,
) => {
  const names = proxiesFor(fault.proxy, ctx.transports);
  await setEnabled(ctx.toxiproxy, names, false);
  return { target: names.join(','), heal: () => setEnabled(ctx.toxiproxy, names, true) };
};

/** The workers lose their database: the sink-workers link goes down. */
export const sinkOutage: Nemesis<Extract<FaultSpec, { kind: 'sink-outage' }>> = (ctx) =>
  proxyDown(ctx, { kind: 'proxy-down', proxy: 'sink' }, []);

let toxicCounter = 0;

/** Adds a Toxiproxy toxic (latency, bandwidth, timeout, reset_peer, slicer, limit_data). */
export const toxic: Nemesis<Extract<FaultSpec, { kind: 'toxic' }>> = async (ctx, fault) => {
  const names = proxiesFor(fault.proxy, ctx.transports);
  const toxicName = `${fault.type}-${fault.stream}-${++toxicCounter}`;
  for (const name of names) {
    const proxy = await ctx.toxiproxy.get(name);
    await proxy.addToxic({
      name: toxicName,
      type: fault.type,
      stream: fault.stream,
      toxicity: fault.toxicity ?? 1,
      attributes: fault.attributes,
    });
  }
  return {
    target: names.join(','),
    detail: {
      toxic: toxicName,
      type: fault.type,
      stream: fault.stream,
      attributes: fault.attributes,
    },
    heal: async () => {
      for (const name of names) {
        const proxy = await ctx.toxiproxy.get(name);
        await (await proxy.getToxic(toxicName)).remove();
      }
    },
  };
};
