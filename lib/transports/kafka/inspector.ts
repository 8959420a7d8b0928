import type { KafkaMessage } from 'kafkajs';
import type { Config } from '../../config.ts';
import { decodeEnvelope } from '../../envelope.ts';
import { deadLetterTopic } from '../dead-letter-names.ts';
import type { TransportInspector } from '../driver.ts';
import type { DeadLetter } from '../types.ts';
import { createKafkaClient, withKafkaAdmin } from './client.ts';
import { committedOffsets, describeGroup } from './group.ts';
import { groupLag } from './lag.ts';
import { readRanges, type OffsetRange } from './read-range.ts';

/** The id of a record: the envelope's, else the `id` header, else the key. */
function eventIdOf(message: KafkaMessage): string {
  let id = message.headers?.id?.toString() ?? message.key?.toString() ?? '';
  if (message.value) {
    try {
      id = decodeEnvelope(message.value).id;
    } catch {
      // keep the header id: a malformed event is still an event
    }
  }
  return id;
}

/** Kafka read over the direct listener (`KAFKA_BROKERS`): group lag, `<topic>.dlq`, members. */
export function inspectKafka(config: Config, consumerIdentity: (id: string) => string) {
  const { topic, groupId } = config.kafka;
  const client = createKafkaClient({
    brokers: config.kafka.brokers,
    clientId: 'inspector',
    retries: 3,
  });
  const withAdmin = <T>(use: Parameters<typeof withKafkaAdmin<T>>[1]) =>
    withKafkaAdmin(client, use);

  const inspector: TransportInspector = {
    pending: () =>
      withAdmin(async (admin) => {
        if (!(await admin.listTopics()).includes(topic)) {
          return { transport: 'kafka', pending: 0, detail: { lag: 0, partitions: 0 } };
        }
        const [watermarks, committed] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          committedOffsets(admin, groupId, topic),
        ]);
        return { transport: 'kafka', ...groupLag(watermarks, committed) };
      }),

    async deadLetters(options = {}) {
      const dlq = deadLetterTopic(topic);
      const ranges = await withAdmin(async (admin) => {
        if (!(await admin.listTopics()).includes(dlq)) return new Map<number, OffsetRange>();
        const watermarks = await admin.fetchTopicOffsets(dlq);
        return new Map(
          watermarks.map((w) => [w.partition, { from: Number(w.low), to: Number(w.high) }]),
        );
      });
      const read = await readRanges(client, dlq, ranges, options.timeoutMs ?? 20_000);
      return read.map(({ message }): DeadLetter => {
        const header = (name: string) => message.headers?.[name]?.toString();
        return {
          id: eventIdOf(message),
          error: header('error') ?? '',
          deliveries: Number(header('deliveries') ?? 0),
        };
      });
    },

    async heldBy(workerId) {
      // The member's partitions and their committed offsets: the next record of each is the
      // first thing its successor must (re)process.
      const ranges = await withAdmin(async (admin) => {
        const group = await describeGroup(admin, groupId, topic);
        const member = group.members.find((m) => m.clientId === consumerIdentity(workerId));
        const committed = await committedOffsets(admin, groupId, topic);
        const marks = new Map((await admin.fetchTopicOffsets(topic)).map((w) => [w.partition, w]));
        return new Map(
          (member?.partitions ?? []).map((p) => {
            const from = Math.max(committed.get(p) ?? -1, Number(marks.get(p)?.low ?? 0));
            // Nothing at or past the high watermark: an empty range.
            return [p, { from, to: Math.min(from + 1, Number(marks.get(p)?.high ?? 0)) }];
          }),
        );
      });
      return (await readRanges(client, topic, ranges, 10_000)).map((r) => eventIdOf(r.message));
    },

    async storedIds() {
      const ranges = await withAdmin(async (admin) => {
        if (!(await admin.listTopics()).includes(topic)) return new Map<number, OffsetRange>();
        const marks = await admin.fetchTopicOffsets(topic);
        return new Map(
          marks.map((w) => [w.partition, { from: Number(w.low), to: Number(w.high) }]),
        );
      });
      const read = await readRanges(client, topic, ranges, 60_000);
      return new Set(read.map((r) => eventIdOf(r.message)));
    },

    settled: (size) =>
      withAdmin(async (admin) => {
        const group = await describeGroup(admin, groupId, topic);
        return (
          group.state === 'Stable' &&
          group.members.length === size &&
          group.members.every((m) => m.partitions.length > 0)
        );
      }),

    removeAll: () =>
      withAdmin(async (admin) => {
        const existing = new Set(await admin.listTopics());
        const topics = [topic, deadLetterTopic(topic)].filter((t) => existing.has(t));
        if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
        await admin.deleteGroups([groupId]).catch(() => undefined);
      }),
  };
  return inspector;
}
