import kafkajs, { type Admin } from 'kafkajs';

export interface KafkaMember {
  clientId: string;
  partitions: number[];
}

/** The group's state and each member's partitions of `topic` (admin describeGroups). */
export async function describeGroup(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<{ state: string; members: KafkaMember[] }> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0];
  if (!group) return { state: 'Unknown', members: [] };
  const members = group.members.map((m) => {
    const decoded =
      m.memberAssignment.length > 0
        ? kafkajs.AssignerProtocol.MemberAssignment.decode(m.memberAssignment)
        : null;
    return { clientId: m.clientId, partitions: decoded?.assignment[topic] ?? [] };
  });
  return { state: group.state, members };
}

/** The group's committed offset per partition of `topic` (-1: none yet). */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}
