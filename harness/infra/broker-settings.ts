/**
 * The brokers' settings, once, for every way the project starts them: the local provider
 * (server.properties, redis-server arguments), the testcontainers provider and the compose
 * file (the apache/kafka image's KAFKA_* variables, the redis image's command). Only where
 * the brokers listen differs between them; what they promise (durability, fast rebalances,
 * single-node replication) is the same everywhere.
 */

/** Single-node KRaft broker+controller, tuned for fast group changes. */
export const KAFKA_BROKER_SETTINGS: Readonly<Record<string, string>> = {
  'process.roles': 'broker,controller',
  'node.id': '1',
  'controller.listener.names': 'CONTROLLER',
  'offsets.topic.replication.factor': '1',
  'offsets.topic.num.partitions': '10',
  'transaction.state.log.replication.factor': '1',
  'transaction.state.log.min.isr': '1',
  'share.coordinator.state.topic.replication.factor': '1',
  'share.coordinator.state.topic.min.isr': '1',
  // Consumers join at once instead of waiting 3 s for company.
  'group.initial.rebalance.delay.ms': '0',
  // Bounds for the short session timeouts the workers use to move partitions fast.
  'group.min.session.timeout.ms': '1000',
  'num.partitions': '1',
};

/**
 * Three KRaft nodes, each broker and controller (one process per node keeps the memory at
 * three JVMs; "kill the active controller" then also kills a broker, which the history says).
 * Replicated like production: RF 3, two in sync to acknowledge, no unclean elections; the
 * timeouts are cut from tens of seconds to a few so a failover fits in a CI-sized scenario.
 */
export const KAFKA_CLUSTER_SETTINGS: Readonly<Record<string, string>> = {
  'default.replication.factor': '3',
  'min.insync.replicas': '2',
  'unclean.leader.election.enable': 'false',
  'offsets.topic.replication.factor': '3',
  'transaction.state.log.replication.factor': '3',
  'transaction.state.log.min.isr': '2',
  'share.coordinator.state.topic.replication.factor': '3',
  'share.coordinator.state.topic.min.isr': '2',
  // A silent broker is fenced after 3 s (default 9 s) and its partitions move.
  'broker.session.timeout.ms': '3000',
  'broker.heartbeat.interval.ms': '500',
  // A follower that stops fetching leaves the ISR after 4 s (default 30 s).
  'replica.lag.time.max.ms': '4000',
  'replica.socket.timeout.ms': '3000',
  // A dead Raft leader is replaced within about a second (defaults 1 s / 2 s / 1 s).
  'controller.quorum.election.timeout.ms': '1000',
  'controller.quorum.fetch.timeout.ms': '2000',
  'controller.quorum.election.backoff.max.ms': '500',
  'controller.quorum.request.timeout.ms': '2000',
};

export type KafkaListener =
  | 'DIRECT'
  | 'PRODUCER'
  | 'WORKERS'
  | 'CONTROLLER'
  | 'INTERNAL'
  | `CONTROLLER_${number}`
  | `REPLICATION_${number}`;

/**
 * Where a broker listens and what it tells clients. One listener per client group, each
 * advertised at that group's proxy: clients reconnect to the advertised address, so a proxy
 * only in front of the bootstrap address would be bypassed.
 */
export interface KafkaTopology {
  /** `host:port` each listener binds (host empty: every interface), in this order. */
  listeners: Partial<Record<KafkaListener, string>>;
  /** `host:port` each client listener advertises. */
  advertised: Partial<Record<KafkaListener, string>>;
  interBroker: KafkaListener;
  /** How the controller is found: `controller.quorum.voters` or `.bootstrap.servers`. */
  quorum: Readonly<Record<string, string>>;
}

/** Every broker setting for one topology. */
export function kafkaSettings(t: KafkaTopology): Record<string, string> {
  const names = Object.keys(t.listeners) as KafkaListener[];
  const list = (m: Partial<Record<KafkaListener, string>>) =>
    Object.entries(m)
      .map(([name, address]) => `${name}://${address}`)
      .join(',');
  return {
    ...KAFKA_BROKER_SETTINGS,
    ...t.quorum,
    listeners: list(t.listeners),
    'advertised.listeners': list(t.advertised),
    'listener.security.protocol.map': names.map((n) => `${n}:PLAINTEXT`).join(','),
    'inter.broker.listener.name': t.interBroker,
  };
}

/** The settings as a server.properties file. */
export function kafkaProperties(settings: Readonly<Record<string, string>>): string {
  return `${Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/**
 * The settings as the apache/kafka image's environment: `KAFKA_` and the name upper-cased,
 * `.` as `_`, `_` as `__`, `-` as `___` (the image's own mapping, reversed).
 */
export function kafkaImageEnv(settings: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings).map(([k, v]) => [
      `KAFKA_${k.replace(/_/g, '__').replace(/-/g, '___').replace(/\./g, '_').toUpperCase()}`,
      v,
    ]),
  );
}

/** The JVM heap of a Kafka container (the local provider takes KAFKA_HEAP_MB). */
export const KAFKA_CONTAINER_HEAP = '-Xmx512m';

/**
 * Both Redis servers (broker and sink): every write persisted before the answer, so a
 * kill -9 loses nothing acknowledged; no RDB snapshots; a full memory fails writes instead of
 * silently evicting stream entries, jobs or sink records.
 */
export const REDIS_SERVER_ARGS: readonly string[] = [
  '--appendonly',
  'yes',
  '--appendfsync',
  'always',
  '--save',
  '',
  '--maxmemory-policy',
  'noeviction',
];

/**
 * Extra settings of the replicated Redis nodes: a primary without a replica in sync for 3 s
 * refuses writes (NOREPLICAS) instead of accepting what a failover would lose; a dead
 * replication link is noticed in 5 s; a new replica syncs at once, without a disk dump.
 */
export const REDIS_CLUSTER_SETTINGS: Readonly<Record<string, string>> = {
  'min-replicas-to-write': '1',
  'min-replicas-max-lag': '3',
  'repl-timeout': '5',
  'repl-diskless-sync': 'yes',
  'repl-diskless-sync-delay': '0',
  'replica-announce-ip': '127.0.0.1',
};

/** Sentinel's per-primary settings: down after 1 s, a failover retried after 5 s. */
export const SENTINEL_SETTINGS = {
  quorum: 2,
  downAfterMs: 1000,
  failoverTimeoutMs: 5000,
} as const;
