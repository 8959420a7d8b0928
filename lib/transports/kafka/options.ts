import { ConfigError } from '../../errors.ts';
import { int, list, opt, text } from '../../option-spec.ts';

/** The Kafka client libraries the driver can run on (lib/transports/kafka/clients.ts). */
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

const kafkaClient = (raw: string, env: string): KafkaClientName => {
  const name = raw.trim();
  if (!(KAFKA_CLIENTS as readonly string[]).includes(name))
    throw new ConfigError(`${env} must be one of ${KAFKA_CLIENTS.join(', ')}, got "${raw}"`);
  return name as KafkaClientName;
};

/** Kafka's slice of the options (lib/config.ts composes them). Units are in the names. */
const bool = (raw: string, env: string): boolean => {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(`${env} must be true or false, got "${raw}"`);
};

export const KAFKA_OPTIONS = {
  client: opt(
    'KAFKA_CLIENT',
    'kafkajs',
    kafkaClient,
    'Kafka client of the producer, the workers and the harness: kafkajs or platformatic (@platformatic/kafka)',
  ),
  brokers: opt('KAFKA_BROKERS', ['127.0.0.1:9092'], list, 'Kafka bootstrap host:port list'),
  producerBrokers: opt(
    'KAFKA_PRODUCER_BROKERS',
    [] as string[],
    list,
    'brokers for the producer (default KAFKA_BROKERS)',
  ),
  workersBrokers: opt(
    'KAFKA_WORKERS_BROKERS',
    [] as string[],
    list,
    'brokers for the workers (default KAFKA_BROKERS)',
  ),
  topic: opt('KAFKA_TOPIC', 'events', text, 'topic the events go to'),
  partitions: opt(
    'KAFKA_PARTITIONS',
    6,
    int(1, 1000),
    'partitions of the topic when it is created',
  ),
  groupId: opt('KAFKA_GROUP', 'pipeline-workers', text, 'consumer group of the workers'),
  sessionTimeoutMs: opt(
    'KAFKA_SESSION_TIMEOUT_MS',
    6000,
    int(1000),
    'consumer session timeout: a dead worker loses its partitions after this',
  ),
  heartbeatIntervalMs: opt(
    'KAFKA_HEARTBEAT_INTERVAL_MS',
    500,
    int(100),
    'consumer heartbeat interval',
  ),
  rebalanceTimeoutMs: opt(
    'KAFKA_REBALANCE_TIMEOUT_MS',
    10000,
    int(1000),
    'time members get to rejoin during a rebalance',
  ),
  staticMembership: opt(
    'KAFKA_STATIC_MEMBERSHIP',
    true,
    bool,
    'platformatic client only: workers join with group.instance.id = their slot (KIP-345), so a restarted worker takes its partitions back at once',
  ),
  commitIntervalMs: opt(
    'KAFKA_COMMIT_INTERVAL_MS',
    500,
    int(0),
    'longest time processed offsets wait for a commit inside a long batch',
  ),
} as const;
