import type { GroupPartitionsAssigner, GroupPartitionsAssignments } from '@platformatic/kafka';

/**
 * A cooperative sticky assignor for the classic group protocol (KIP-429's idea, done in
 * the assignor because @platformatic/kafka 1.x has no revocation callback): each member
 * says in its subscription which partitions it owns, and
 * - a member keeps what it owns, up to its fair share;
 * - a partition nobody owns goes to whoever is under their share;
 * - a partition that must move from a live owner goes to nobody this round: the owner
 *   finishes and commits what it holds, then rejoins without it, and the next round gives
 *   it away as unowned.
 * So no partition is ever fetched by a new owner while the old one still works on it
 * (eager round-robin would reshuffle every partition on every join and leave).
 */
export const STICKY_PROTOCOL = 'pipeline-cooperative-sticky';

/** The subscription's user data: the partitions of `topic` the member owns. */
export function encodeOwned(topic: string, owned: Iterable<number>): Buffer {
  return Buffer.from(JSON.stringify({ topic, owned: [...owned].sort((a, b) => a - b) }));
}

export function decodeOwned(topic: string, data: unknown): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String((data as { toString(): string } | null)?.toString() ?? ''));
  } catch {
    return [];
  }
  const { topic: t, owned } = (parsed ?? {}) as { topic?: unknown; owned?: unknown };
  if (t !== topic || !Array.isArray(owned)) return [];
  return (owned as unknown[]).filter((p): p is number => Number.isInteger(p));
}

/** Pure: member id -> the partitions it gets, from what each owns now. */
export function stickyAssign(
  owners: ReadonlyMap<string, readonly number[]>,
  partitions: number,
): Map<string, number[]> {
  const ids = [...owners.keys()].sort();
  const out = new Map(ids.map((id) => [id, [] as number[]]));
  const quota = (i: number) =>
    Math.floor(partitions / ids.length) + (i < partitions % ids.length ? 1 : 0);
  const claimed = new Set<number>();
  const moving = new Set<number>();
  // Keep what each owns, in partition order, up to its share; the rest must move.
  ids.forEach((id, i) => {
    const mine = [...new Set(owners.get(id))]
      .filter((p) => p >= 0 && p < partitions && !claimed.has(p))
      .sort((a, b) => a - b);
    for (const p of mine) {
      claimed.add(p);
      if ((out.get(id) as number[]).length < quota(i)) (out.get(id) as number[]).push(p);
      else moving.add(p);
    }
  });
  // Unowned partitions fill the shares; moving ones wait for their owner to let go.
  let next = 0;
  for (let p = 0; p < partitions; p += 1) {
    if (claimed.has(p)) continue;
    while (next < ids.length && (out.get(ids[next] as string) as number[]).length >= quota(next))
      next += 1;
    (out.get(ids[Math.min(next, ids.length - 1)] as string) as number[]).push(p);
  }
  return out;
}

/** The assignor in @platformatic/kafka's shape, for the group's only subscribed topic. */
export const cooperativeStickyAssigner: GroupPartitionsAssigner = (
  _leader,
  members,
  topics,
  metadata,
) => {
  const assignments: GroupPartitionsAssignments[] = [...members.keys()].map((memberId) => ({
    memberId,
    assignments: new Map(),
  }));
  for (const topic of topics) {
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    const owners = new Map([...members].map(([id, m]) => [id, decodeOwned(topic, m.metadata)]));
    const plan = stickyAssign(owners, count);
    for (const a of assignments)
      a.assignments.set(topic, { topic, partitions: plan.get(a.memberId) ?? [] });
  }
  return assignments;
};
