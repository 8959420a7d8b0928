import { Consumer, IS_CONTROL, type KafkaRecord, type RecordsBatch } from '@platformatic/kafka';
import type { OffsetRange } from '../read-range.ts';
import { baseOptions, type PlatformaticClientOptions } from './client.ts';

/** A record read back, with where it was. */
export interface ReadRecord {
  partition: number;
  offset: number;
  record: KafkaRecord;
}

const PARTITION_MAX_BYTES = 1_048_576;

/**
 * Reads the given offset ranges of `topic` with plain Fetch requests to each partition's
 * leader: no consumer group is joined, so reading never moves anyone's offsets and leaves
 * nothing behind. Resolves once every range is read; rejects after `timeoutMs`.
 */
export async function readPlatformaticRanges(
  client: PlatformaticClientOptions,
  topic: string,
  ranges: ReadonlyMap<number, OffsetRange>,
  timeoutMs: number,
): Promise<ReadRecord[]> {
  const next = new Map([...ranges].filter(([, r]) => r.to > r.from).map(([p, r]) => [p, r.from]));
  const out: ReadRecord[] = [];
  if (next.size === 0) return out;
  const groupId = `reader-${process.pid}-${Date.now()}`; // never joined: Fetch only
  const consumer = new Consumer({ ...baseOptions(client), groupId, autocommit: false });
  const deadline = Date.now() + timeoutMs;
  try {
    while (next.size > 0) {
      if (Date.now() > deadline)
        throw new Error(`reading ${topic} took longer than ${timeoutMs} ms`);
      await fetchOnce(consumer, topic, ranges, next, out);
    }
  } finally {
    await consumer.close().catch(() => undefined);
  }
  return out;
}

/** One Fetch per leader for the partitions still to read; moves `next` on. */
async function fetchOnce(
  consumer: Consumer,
  topic: string,
  ranges: ReadonlyMap<number, OffsetRange>,
  next: Map<number, number>,
  out: ReadRecord[],
): Promise<void> {
  const md = await consumer.metadata({ topics: [topic] });
  const meta = md.topics.get(topic);
  if (meta === undefined) throw new Error(`topic ${topic} not found`);
  const byLeader = new Map<number, number[]>();
  for (const p of next.keys()) {
    const leader = meta.partitions[p]?.leader ?? -1;
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
  }
  for (const [node, partitions] of byLeader) {
    const response = await consumer.fetch({
      node,
      maxWaitTime: 200,
      topics: [
        {
          topicId: meta.id,
          partitions: partitions.map((partition) => ({
            partition,
            fetchOffset: BigInt(next.get(partition) ?? 0),
            partitionMaxBytes: PARTITION_MAX_BYTES,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
          })),
        },
      ],
    });
    for (const t of response.responses)
      for (const part of t.partitions)
        take(part.partitionIndex, part.records ?? [], ranges, next, out);
  }
}

function take(
  partition: number,
  batches: readonly RecordsBatch[],
  ranges: ReadonlyMap<number, OffsetRange>,
  next: Map<number, number>,
  out: ReadRecord[],
): void {
  const range = ranges.get(partition);
  const at = next.get(partition);
  if (range === undefined || at === undefined) return;
  let position = at;
  for (const batch of batches) {
    const first = Number(batch.firstOffset);
    if ((batch.attributes & IS_CONTROL) === 0) {
      for (const record of batch.records) {
        const offset = first + record.offsetDelta;
        if (offset >= position && offset < range.to) out.push({ partition, offset, record });
      }
    }
    position = Math.max(position, first + batch.lastOffsetDelta + 1);
  }
  if (position >= range.to) next.delete(partition);
  else next.set(partition, position);
}
