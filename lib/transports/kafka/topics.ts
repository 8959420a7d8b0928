import kafkajs, { type Admin } from 'kafkajs';
import { deadLetterTopic } from '../dead-letter-names.ts';

export interface KafkaTopicsOptions {
  topic: string;
  /** Partitions of the event topic when it is created here. */
  partitions: number;
  /** Replication of both topics; default: the brokers' `default.replication.factor`. */
  replicationFactor?: number;
}

/**
 * Creates the event topic and its dead-letter topic when missing; existing topics are
 * left as they are. Safe to call from every worker at once.
 */
export async function ensureKafkaTopics(admin: Admin, options: KafkaTopicsOptions): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = [options.topic, deadLetterTopic(options.topic)].filter((t) => !existing.has(t));
  if (missing.length === 0) return;
  const replicationFactor = options.replicationFactor ?? (await brokerReplicationFactor(admin));
  const wanted = [
    { topic: options.topic, numPartitions: options.partitions, replicationFactor },
    { topic: deadLetterTopic(options.topic), numPartitions: 1, replicationFactor },
  ].filter((t) => !existing.has(t.topic));
  if (wanted.length === 0) return;
  // waitForLeaders so the first fetch does not hit LEADER_NOT_AVAILABLE; a concurrent creator
  // makes createTopics resolve false, which is fine.
  await admin.createTopics({ topics: wanted, waitForLeaders: true });
}

/**
 * The replication the brokers are configured for (1 on the single broker, 3 on the cluster),
 * so the same code creates a single-node or a replicated topic.
 */
async function brokerReplicationFactor(admin: Admin): Promise<number> {
  const cluster = await admin.describeCluster();
  const broker = cluster.brokers[0];
  if (!broker) return 1;
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      {
        type: kafkajs.ConfigResourceTypes.BROKER,
        name: String(broker.nodeId),
        configNames: ['default.replication.factor'],
      },
    ],
  });
  const value = described.resources[0]?.configEntries[0]?.configValue;
  const factor = Number(value);
  return Number.isInteger(factor) && factor > 0 ? factor : 1;
}
