import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from '@platformatic/kafka';
import { deadLetterTopic } from '../../dead-letter-names.ts';
import type { KafkaTopicsOptions } from '../topics.ts';
import { isProtocolError } from './errors.ts';

/** How long topic creation waits for every partition to have a leader. */
const LEADER_WAIT_MS = 10_000;

/**
 * Creates the event topic and its dead-letter topic when missing; existing topics are left
 * as they are. Safe to call from every worker at once (a concurrent creator's topic counts
 * as made). Waits until every partition has a leader, as kafkajs' `waitForLeaders` does.
 */
export async function ensurePlatformaticTopics(
  admin: Admin,
  options: KafkaTopicsOptions,
): Promise<void> {
  // Unset, the broker's default.replication.factor applies (1 on the single node, 3 on the
  // cluster): the client sends -1.
  const replicas = options.replicationFactor;
  const existing = new Set(await admin.listTopics());
  const wanted = [
    { topic: options.topic, partitions: options.partitions },
    { topic: deadLetterTopic(options.topic), partitions: 1 },
  ].filter((t) => !existing.has(t.topic));
  for (const { topic, partitions } of wanted) {
    try {
      await admin.createTopics({
        topics: [topic],
        partitions,
        ...(replicas === undefined ? {} : { replicas }),
      });
    } catch (err) {
      if (!isProtocolError(err, 'TOPIC_ALREADY_EXISTS')) throw err;
    }
  }
  if (wanted.length > 0)
    await waitForLeaders(admin, [options.topic, deadLetterTopic(options.topic)]);
}

async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    const metadata = await admin.metadata({ topics, forceUpdate: true }).catch(() => undefined);
    const led = topics.every((t) => {
      const parts = metadata?.topics.get(t)?.partitions ?? [];
      return parts.length > 0 && parts.every((p) => p !== undefined && p.leader >= 0);
    });
    if (led || Date.now() > deadline) return;
    await sleep(100);
  }
}
