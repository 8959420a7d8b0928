import { Connection, describeQuorumV2, metadataV12 } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { AppError } from '../../lib/errors.ts';
import type { Infra, ManagedServer } from '../infra/types.ts';

/**
 * Who holds a Kafka role right now, read through the admin API of one node's unproxied
 * listener (the harness's own, never faulted). Each read asks one named node, so a read
 * after a fault can avoid the node the fault hit: an isolated node still answers with what
 * it believed when it was cut off.
 */

/** One partition as a node's metadata describes it. */
export interface PartitionView {
  partition: number;
  leader: number;
  isr: number[];
  replicas: number[];
}

/** The unproxied address of every node, by node id (1-based, as KRaft node ids). */
export function kafkaNodes(infra: Infra): Map<number, string> {
  const direct = infra.endpoints.kafka.direct.split(',');
  return new Map(direct.map((address, i) => [i + 1, address]));
}

/** The managed server of Kafka node `n` (cluster topology only). */
export function kafkaServer(infra: Infra, n: number): ManagedServer {
  const server = infra.servers.get(`kafka-${n}`);
  if (!server) {
    throw new AppError(
      'UNSUPPORTED_FAULT',
      `no Kafka node ${n} the harness can reach: role faults need the cluster topology of the local provider`,
    );
  }
  return server;
}

async function onNode<T>(address: string, use: (c: Connection) => Promise<T>): Promise<T> {
  const [host, port] = address.split(':');
  const connection = new Connection('harness-roles', {
    connectTimeout: 2000,
    requestTimeout: 3000,
  });
  // A refused or timed-out request rejects the call; the event must not crash the harness.
  connection.on('error', () => undefined);
  try {
    await connection.connect(host ?? '127.0.0.1', Number(port));
    return await use(connection);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** The first node other than `avoid` that answers `use`. */
async function onAnyNode<T>(
  infra: Infra,
  avoid: readonly number[],
  use: (c: Connection) => Promise<T>,
): Promise<T> {
  let last: unknown;
  for (const [n, address] of kafkaNodes(infra)) {
    if (avoid.includes(n)) continue;
    try {
      return await onNode(address, use);
    } catch (err) {
      last = err;
    }
  }
  throw new AppError('ROLE_UNKNOWN', 'no Kafka node answered a metadata request', {
    cause: last,
  });
}

/** The partitions of `topic` as a node other than `avoid` sees them. */
export async function topicPartitions(
  infra: Infra,
  topic: string,
  avoid: readonly number[] = [],
): Promise<PartitionView[]> {
  const meta = await onAnyNode(infra, avoid, (c) => metadataV12.api.async(c, [topic], false));
  const found = meta.topics.find((t) => t.name === topic);
  if (!found || found.errorCode !== 0) {
    throw new AppError('ROLE_UNKNOWN', `topic ${topic} is not in the metadata`);
  }
  return found.partitions
    .map((p) => ({
      partition: p.partitionIndex,
      leader: p.leaderId,
      isr: [...p.isrNodes].sort(),
      replicas: [...p.replicaNodes].sort(),
    }))
    .sort((a, b) => a.partition - b.partition);
}

/** The active KRaft controller (the Raft leader of `__cluster_metadata`), by DescribeQuorum. */
export async function activeController(
  infra: Infra,
  avoid: readonly number[] = [],
): Promise<number> {
  const answer = await onAnyNode(infra, avoid, (c) =>
    describeQuorumV2.api.async(c, [
      { topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] },
    ]),
  );
  const leader = answer.topics[0]?.partitions[0]?.leaderId;
  if (leader === undefined || leader < 0) {
    throw new AppError('ROLE_UNKNOWN', 'the metadata quorum has no leader');
  }
  return leader;
}

/** The partition of `topic` with the most records so far (its high watermark), lowest on ties. */
export async function busiestPartition(infra: Infra, topic: string): Promise<number> {
  const kafka = new Kafka({
    clientId: 'harness-roles',
    brokers: [...kafkaNodes(infra).values()],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    let best = { partition: 0, high: -1 };
    for (const o of offsets) {
      const high = Number(o.high);
      if (high > best.high) best = { partition: o.partition, high };
    }
    return best.partition;
  } finally {
    await admin.disconnect();
  }
}

/** The leader of `partition` of `topic`, read through a node other than `avoid`. */
export async function partitionLeader(
  infra: Infra,
  topic: string,
  partition: number,
  avoid: readonly number[] = [],
): Promise<number> {
  const view = (await topicPartitions(infra, topic, avoid)).find((p) => p.partition === partition);
  if (!view) throw new AppError('ROLE_UNKNOWN', `no partition ${topic}-${partition}`);
  return view.leader;
}

/** The busiest partition of `topic` and the node leading it: what `*-leader` faults aim at. */
export async function busiestLeader(
  infra: Infra,
  topic: string,
): Promise<{ partition: number; node: number }> {
  const partition = await busiestPartition(infra, topic);
  return { partition, node: await partitionLeader(infra, topic, partition) };
}
