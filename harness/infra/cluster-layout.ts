import { kafkaSettings, KAFKA_CLUSTER_SETTINGS, type KafkaListener } from './broker-settings.ts';
import type { ProxySpec } from './proxies.ts';

/**
 * Where every server and link of the `cluster` topology lives: pure, so the layout can be
 * checked without starting anything. Node numbers start at 1, as KRaft node ids do.
 */

export const KAFKA_NODES = [1, 2, 3] as const;
export const REDIS_NODES = [1, 2] as const;
export const SENTINELS = [1, 2, 3] as const;
/** The name Sentinel monitors the primary under (ioredis `name`). */
export const SENTINEL_MASTER = 'events-primary';

export interface KafkaNodePorts {
  direct: number;
  producer: number;
  workers: number;
  /** One controller listener per peer node (index 0 = node 1's), so each pair has a proxy. */
  controller: number[];
  /** One inter-broker listener per fetching node (index 0 = node 1's), so each pair has a proxy. */
  replication: number[];
}

export interface ClusterPorts {
  kafka: KafkaNodePorts[];
  redis: number[];
  sentinels: number[];
  sink: number;
  toxiproxy: number;
  /** Toxiproxy listen ports, by proxy name. */
  proxies: Record<string, number>;
}

/** The client proxy of node `n` for a client group. */
export const kafkaClientProxy = (group: 'producer' | 'workers', n: number) => `kafka-${group}-${n}`;
export const redisClientProxy = (group: 'producer' | 'workers', n: number) => `redis-${group}-${n}`;
/** Node `from` talking to node `to`: controller (Raft, heartbeats) or replica fetches. */
export const kafkaPeerProxy = (kind: 'controller' | 'replication', from: number, to: number) =>
  `kafka-${from}-to-${to}-${kind}`;
/** Every peer of Redis node `n` (its replica or primary, the Sentinels) reaches it here. */
export const redisPeerProxy = (n: number) => `redis-peer-${n}`;

const pairs = () => KAFKA_NODES.flatMap((from) => peersOf(from).map((to) => [from, to] as const));
const peersOf = (n: number) => KAFKA_NODES.filter((m) => m !== n);

/** Every proxy name of the cluster, in creation order. */
export function clusterProxyNames(): string[] {
  return [
    ...KAFKA_NODES.flatMap((n) => [
      kafkaClientProxy('producer', n),
      kafkaClientProxy('workers', n),
    ]),
    ...pairs().flatMap(([f, t]) => [
      kafkaPeerProxy('controller', f, t),
      kafkaPeerProxy('replication', f, t),
    ]),
    ...REDIS_NODES.flatMap((n) => [
      redisClientProxy('producer', n),
      redisClientProxy('workers', n),
      redisPeerProxy(n),
    ]),
    'sink-workers',
  ];
}

/** Fills the layout from a flat list of free ports (see `clusterPortCount`). */
export function clusterPorts(free: readonly number[]): ClusterPorts {
  let next = 0;
  const take = () => {
    const port = free[next++];
    if (port === undefined) throw new Error(`cluster layout needs ${clusterPortCount()} ports`);
    return port;
  };
  const kafka = KAFKA_NODES.map(() => ({
    direct: take(),
    producer: take(),
    workers: take(),
    controller: KAFKA_NODES.map(take),
    replication: KAFKA_NODES.map(take),
  }));
  const redis = REDIS_NODES.map(take);
  const sentinels = SENTINELS.map(take);
  const sink = take();
  const toxiproxy = take();
  const proxies = Object.fromEntries(clusterProxyNames().map((name) => [name, take()]));
  return { kafka, redis, sentinels, sink, toxiproxy, proxies };
}

export function clusterPortCount(): number {
  const kafka = KAFKA_NODES.length * (3 + 2 * KAFKA_NODES.length);
  return kafka + REDIS_NODES.length + SENTINELS.length + 2 + clusterProxyNames().length;
}

const at = (port: number) => `127.0.0.1:${port}`;

function proxyPort(p: ClusterPorts, name: string): number {
  const port = p.proxies[name];
  if (port === undefined) throw new Error(`no port for proxy ${name}`);
  return port;
}

function kafkaNode(p: ClusterPorts, n: number): KafkaNodePorts {
  const node = p.kafka[n - 1];
  if (!node) throw new Error(`no Kafka node ${n}`);
  return node;
}

const replicationListener = (n: number): KafkaListener => `REPLICATION_${n}`;
const controllerListener = (n: number): KafkaListener => `CONTROLLER_${n}`;

/**
 * The settings of Kafka node `n`. It fetches from leaders on its own listener name
 * REPLICATION_n, and from the Raft leader on CONTROLLER_n (the first of its controller
 * listeners, the one it connects with); every node advertises both at the proxy from `n` to
 * it. A Raft follower fetches from the endpoints the leader advertises, not from the voters
 * list, so one controller listener per peer is what keeps Raft behind the proxies too.
 * So cutting node n's proxies isolates it.
 */
export function kafkaNodeSettings(p: ClusterPorts, n: number): Record<string, string> {
  const own = kafkaNode(p, n);
  const listeners: Partial<Record<KafkaListener, string>> = {
    DIRECT: at(own.direct),
    PRODUCER: at(own.producer),
    WORKERS: at(own.workers),
  };
  const advertised: Partial<Record<KafkaListener, string>> = {
    DIRECT: at(own.direct),
    PRODUCER: at(proxyPort(p, kafkaClientProxy('producer', n))),
    WORKERS: at(proxyPort(p, kafkaClientProxy('workers', n))),
  };
  for (const from of KAFKA_NODES) {
    for (const kind of ['controller', 'replication'] as const) {
      const name = kind === 'controller' ? controllerListener(from) : replicationListener(from);
      const port = own[kind][from - 1] ?? 0;
      listeners[name] = at(port);
      advertised[name] = from === n ? at(port) : at(proxyPort(p, kafkaPeerProxy(kind, from, n)));
    }
  }
  const voters = KAFKA_NODES.map((m) => {
    const address =
      m === n
        ? at(own.controller[n - 1] ?? 0)
        : at(proxyPort(p, kafkaPeerProxy('controller', n, m)));
    return `${m}@${address}`;
  }).join(',');
  const controllerNames = [n, ...peersOf(n)].map(controllerListener).join(',');
  return {
    ...kafkaSettings({
      listeners,
      advertised,
      interBroker: replicationListener(n),
      quorum: { 'controller.quorum.voters': voters },
    }),
    ...KAFKA_CLUSTER_SETTINGS,
    'controller.listener.names': controllerNames,
    'node.id': String(n),
  };
}

/** Every proxy with its upstream. */
export function clusterProxySpecs(p: ClusterPorts): ProxySpec[] {
  const spec = (name: string, upstream: number): ProxySpec => ({
    name,
    listenPort: proxyPort(p, name),
    upstream: at(upstream),
  });
  return [
    ...KAFKA_NODES.flatMap((n) => [
      spec(kafkaClientProxy('producer', n), kafkaNode(p, n).producer),
      spec(kafkaClientProxy('workers', n), kafkaNode(p, n).workers),
    ]),
    ...pairs().flatMap(([f, t]) => [
      spec(kafkaPeerProxy('controller', f, t), kafkaNode(p, t).controller[f - 1] ?? 0),
      spec(kafkaPeerProxy('replication', f, t), kafkaNode(p, t).replication[f - 1] ?? 0),
    ]),
    ...REDIS_NODES.flatMap((n) => {
      const port = p.redis[n - 1] ?? 0;
      return [
        spec(redisClientProxy('producer', n), port),
        spec(redisClientProxy('workers', n), port),
        spec(redisPeerProxy(n), port),
      ];
    }),
    spec('sink-workers', p.sink),
  ];
}

/**
 * A client group's `natMap`: Sentinel names each Redis node by its peer proxy (the address
 * the node announces); the group reaches that node through its own proxy, the harness
 * (`direct`) without one.
 */
export function redisNatMap(
  p: ClusterPorts,
  group: 'direct' | 'producer' | 'workers',
): Record<string, string> {
  return Object.fromEntries(
    REDIS_NODES.map((n) => [
      at(proxyPort(p, redisPeerProxy(n))),
      at(group === 'direct' ? (p.redis[n - 1] ?? 0) : proxyPort(p, redisClientProxy(group, n))),
    ]),
  );
}

export { at as loopback, proxyPort };
