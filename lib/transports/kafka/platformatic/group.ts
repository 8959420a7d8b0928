import type { Admin } from '@platformatic/kafka';
import type { KafkaMember } from '../group.ts';
import type { PartitionWatermarks } from '../lag.ts';

/** The group's state (as kafkajs names it: `Stable`) and each member's partitions of `topic`. */
export async function describePlatformaticGroup(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<{ state: string; members: KafkaMember[] }> {
  const group = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
  if (group === undefined) return { state: 'Unknown', members: [] };
  const members = [...group.members.values()].map((m) => ({
    clientId: m.clientId,
    partitions: m.assignments?.get(topic)?.partitions ?? [],
  }));
  return { state: kafkajsState(group.state), members };
}

/** `COMPLETING_REBALANCE` -> `CompletingRebalance`, the names the rest of the code uses. */
const kafkajsState = (state: string): string =>
  state
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/** The group's committed offset per partition of `topic` (-1: none yet). */
export async function platformaticCommittedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
  const t = group?.topics.find((x) => x.name === topic);
  return new Map((t?.partitions ?? []).map((p) => [p.partitionIndex, Number(p.committedOffset)]));
}

/** Every partition's low and high watermark; empty when the topic does not exist. */
export async function platformaticWatermarks(
  admin: Admin,
  topic: string,
): Promise<PartitionWatermarks[]> {
  if (!(await admin.listTopics()).includes(topic)) return [];
  const md = await admin.metadata({ topics: [topic] });
  const count = md.topics.get(topic)?.partitionsCount ?? 0;
  const at = async (timestamp: bigint) => {
    const partitions = Array.from({ length: count }, (_, partitionIndex) => ({
      partitionIndex,
      timestamp,
    }));
    const [listed] = await admin.listOffsets({ topics: [{ name: topic, partitions }] });
    return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
  };
  const [low, high] = await Promise.all([at(-2n), at(-1n)]);
  return Array.from({ length: count }, (_, partition) => ({
    partition,
    low: String(low.get(partition) ?? 0n),
    high: String(high.get(partition) ?? 0n),
  }));
}
