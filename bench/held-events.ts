import { Queue } from 'bullmq';
import kafkajs from 'kafkajs';
import type { Config } from '../lib/config.ts';
import { createKafkaClient, withKafkaAdmin } from '../lib/transports/kafka-client.ts';
import { createRedisClient } from '../lib/transports/redis-client.ts';
import { redisConsumerName } from '../lib/transports/redis-consumer.ts';

/**
 * What one worker holds, read from the broker (for the recovery measurement). Read right
 * after the SIGKILL: a dead consumer's share stays frozen until another takes it over.
 */

export interface KafkaMember {
  clientId: string;
  partitions: number[];
}

/** The group's state and each member's partitions of `config.kafka.topic`. */
export async function kafkaGroup(
  config: Config,
): Promise<{ state: string; members: KafkaMember[] }> {
  const client = createKafkaClient({
    brokers: config.kafka.brokers,
    clientId: 'bench-group',
    retries: 2,
  });
  return withKafkaAdmin(client, async (admin) => {
    const { groups } = await admin.describeGroups([config.kafka.groupId]);
    const group = groups[0];
    if (!group) return { state: 'Unknown', members: [] };
    const members = group.members.map((m) => {
      const decoded =
        m.memberAssignment.length > 0
          ? kafkajs.AssignerProtocol.MemberAssignment.decode(m.memberAssignment)
          : null;
      return { clientId: m.clientId, partitions: decoded?.assignment[config.kafka.topic] ?? [] };
    });
    return { state: group.state, members };
  });
}

/**
 * Kafka: the next event of each partition the member owned (at the committed offset):
 * the first thing the new owner must (re)process. `partitionIds[p][offset]` is the event
 * id at that offset (the backlog was written partition by partition, in order).
 */
export async function kafkaHeld(
  config: Config,
  partitions: number[],
  partitionIds: string[][],
): Promise<string[]> {
  const client = createKafkaClient({
    brokers: config.kafka.brokers,
    clientId: 'bench-held',
    retries: 2,
  });
  return withKafkaAdmin(client, async (admin) => {
    const [committed] = await admin.fetchOffsets({
      groupId: config.kafka.groupId,
      topics: [config.kafka.topic],
    });
    const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return partitions.flatMap((p) => {
      const offset = Math.max(0, at.get(p) ?? 0);
      const id = partitionIds[p]?.[offset];
      return id === undefined ? [] : [id];
    });
  });
}

/** Redis: the entries in the worker's PEL (its consumer name is stable per slot). */
export async function redisHeld(config: Config, workerId: string): Promise<string[]> {
  const { stream, groupName } = config.redis;
  const redis = createRedisClient(config.redis.url, 'bench-held', { lazyConnect: true });
  await redis.connect();
  try {
    const rows = (await redis.xpending(
      stream,
      groupName,
      '-',
      '+',
      10_000,
      redisConsumerName(workerId),
    )) as [string, string, number, number][];
    if (rows.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const [entryId] of rows) pipeline.xrange(stream, entryId, entryId);
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([, reply]) => {
      const fields = (reply as [string, string[]][] | null)?.[0]?.[1] ?? [];
      const at = fields.indexOf('id');
      return at >= 0 && fields[at + 1] !== undefined ? [fields[at + 1] as string] : [];
    });
  } finally {
    redis.disconnect();
  }
}

/** BullMQ: active jobs the worker took (`processedBy` is the BullMQ worker name). */
export async function bullmqHeld(config: Config, workerName: string): Promise<string[]> {
  const connection = createRedisClient(config.redis.url, 'bench-held');
  const queue = new Queue<{ id: string }>(config.bullmq.queue, {
    connection,
    skipVersionCheck: true,
  });
  try {
    const active = await queue.getActive(0, 10_000);
    return active.filter((j) => j.processedBy === workerName).map((j) => j.data.id);
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}
