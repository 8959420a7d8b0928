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

export type KafkaListener = 'DIRECT' | 'PRODUCER' | 'WORKERS' | 'CONTROLLER' | 'INTERNAL';

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
