import type { Admin } from 'kafkajs';
import { deadLetterTopic } from '../dead-letter-names.ts';

export interface KafkaTopicsOptions {
  topic: string;
  /** Partitions of the event topic when it is created here. */
  partitions: number;
  /** Replication of both topics; 1 on a single broker. */
  replicationFactor?: number;
}

/**
 * Creates the event topic and its dead-letter topic when missing; existing topics are
 * left as they are. Safe to call from every worker at once.
 */
export async function ensureKafkaTopics(admin: Admin, options: KafkaTopicsOptions): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const replicationFactor = options.replicationFactor ?? 1;
  const wanted = [
    { topic: options.topic, numPartitions: options.partitions, replicationFactor },
    { topic: deadLetterTopic(options.topic), numPartitions: 1, replicationFactor },
  ].filter((t) => !existing.has(t.topic));
  if (wanted.length === 0) return;
  // waitForLeaders so the first fetch does not hit LEADER_NOT_AVAILABLE; a concurrent creator
  // makes createTopics resolve false, which is fine.
  await admin.createTopics({ topics: wanted, waitForLeaders: true });
}
