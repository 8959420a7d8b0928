import type { Kafka, KafkaMessage } from 'kafkajs';

/** Offsets [from, to) of one partition. */
export interface OffsetRange {
  from: number;
  to: number;
}

/**
 * Reads the given offset ranges of `topic` with a throwaway consumer group (deleted
 * afterwards), so reading never moves anyone's offsets. Resolves once every range is read;
 * rejects after `timeoutMs`.
 */
export async function readRanges(
  client: Kafka,
  topic: string,
  ranges: ReadonlyMap<number, OffsetRange>,
  timeoutMs: number,
): Promise<{ partition: number; message: KafkaMessage }[]> {
  const remaining = new Map([...ranges].filter(([, r]) => r.to > r.from));
  const out: { partition: number; message: KafkaMessage }[] = [];
  if (remaining.size === 0) return out;
  const groupId = `reader-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const consumer = client.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 1000 });
  const admin = client.admin();
  await Promise.all([consumer.connect(), admin.connect()]);
  try {
    // Partitions outside `ranges` start at the end: nothing to read there.
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      const take = (partition: number, message: KafkaMessage) => {
        const range = remaining.get(partition);
        const offset = Number(message.offset);
        if (!range || offset < range.from) return;
        if (offset < range.to) out.push({ partition, message });
        if (offset + 1 >= range.to) remaining.delete(partition);
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      // A seek before the group is joined throws (seen on a fresh broker): seek on each join.
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const [partition, r] of remaining)
          consumer.seek({ topic, partition, offset: String(r.from) });
      });
      consumer
        .run({
          autoCommit: false,
          eachMessage: ({ partition, message }) => Promise.resolve(take(partition, message)),
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return out;
}
