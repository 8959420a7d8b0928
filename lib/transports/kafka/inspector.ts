import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import type { Config } from '../../config.ts';
import { decodeEnvelope } from '../../envelope.ts';
import { deadLetterTopic } from '../dead-letter-names.ts';
import type { LostClass, TransportInspector } from '../driver.ts';
import type { DeadLetter, PendingState } from '../types.ts';
import { createKafkaClient, withKafkaAdmin } from './client.ts';
import { committedOffsets, describeGroup } from './group.ts';
import { groupLag } from './lag.ts';
import { classifyLostKafka } from './lost-places.ts';
import { readRanges, type OffsetRange } from './read-range.ts';

/** What every read needs: a client on the direct listener and the run's names. */
interface Ctx {
  client: Kafka;
  topic: string;
  groupId: string;
  consumerIdentity: (workerId: string) => string;
}

const withAdmin = <T>(ctx: Ctx, use: (admin: Admin) => Promise<T>) =>
  withKafkaAdmin(ctx.client, use);

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

/** Every partition's [low, high) range; empty when the topic does not exist. */
async function wholeTopic(admin: Admin, topic: string): Promise<Map<number, OffsetRange>> {
  if (!(await admin.listTopics()).includes(topic)) return new Map();
  const marks = await admin.fetchTopicOffsets(topic);
  return new Map(marks.map((w) => [w.partition, { from: Number(w.low), to: Number(w.high) }]));
}

function pending(ctx: Ctx): Promise<PendingState> {
  return withAdmin(ctx, async (admin) => {
    if (!(await admin.listTopics()).includes(ctx.topic)) {
      return { transport: 'kafka', pending: 0, detail: { lag: 0, partitions: 0 } };
    }
    const [watermarks, committed] = await Promise.all([
      admin.fetchTopicOffsets(ctx.topic),
      committedOffsets(admin, ctx.groupId, ctx.topic),
    ]);
    return { transport: 'kafka', ...groupLag(watermarks, committed) };
  });
}

async function deadLetters(ctx: Ctx, timeoutMs: number): Promise<DeadLetter[]> {
  const dlq = deadLetterTopic(ctx.topic);
  const ranges = await withAdmin(ctx, (admin) => wholeTopic(admin, dlq));
  return (await readRanges(ctx.client, dlq, ranges, timeoutMs)).map(({ message }) => {
    const header = (name: string) => message.headers?.[name]?.toString();
    return {
      id: eventIdOf(message),
      error: header('error') ?? '',
      deliveries: Number(header('deliveries') ?? 0),
    };
  });
}

/**
 * The member's partitions and their committed offsets: the record at each is the first
 * thing its successor must (re)process.
 */
async function heldBy(ctx: Ctx, workerId: string): Promise<string[]> {
  const ranges = await withAdmin(ctx, async (admin) => {
    const group = await describeGroup(admin, ctx.groupId, ctx.topic);
    const member = group.members.find((m) => m.clientId === ctx.consumerIdentity(workerId));
    const committed = await committedOffsets(admin, ctx.groupId, ctx.topic);
    const whole = await wholeTopic(admin, ctx.topic);
    return new Map(
      (member?.partitions ?? []).map((p) => {
        const { from: low, to: high } = whole.get(p) ?? { from: 0, to: 0 };
        const from = Math.max(committed.get(p) ?? -1, low);
        // Nothing at or past the high watermark: an empty range.
        return [p, { from, to: Math.min(from + 1, high) }];
      }),
    );
  });
  return (await readRanges(ctx.client, ctx.topic, ranges, 10_000)).map((r) => eventIdOf(r.message));
}

async function storedIds(ctx: Ctx): Promise<Set<string>> {
  const ranges = await withAdmin(ctx, (admin) => wholeTopic(admin, ctx.topic));
  const read = await readRanges(ctx.client, ctx.topic, ranges, 60_000);
  return new Set(read.map((r) => eventIdOf(r.message)));
}

function settled(ctx: Ctx, size: number): Promise<boolean> {
  return withAdmin(ctx, async (admin) => {
    const group = await describeGroup(admin, ctx.groupId, ctx.topic);
    return (
      group.state === 'Stable' &&
      group.members.length === size &&
      group.members.every((m) => m.partitions.length > 0)
    );
  });
}

function removeAll(ctx: Ctx): Promise<void> {
  return withAdmin(ctx, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const topics = [ctx.topic, deadLetterTopic(ctx.topic)].filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    await admin.deleteGroups([ctx.groupId]).catch(() => undefined);
  });
}

/** Places lost ids (lost-places.ts), reading the topic a slice at a time. */
async function locate(
  ctx: Ctx,
  ids: readonly string[],
  seen: (id: string) => boolean,
): Promise<Map<string, LostClass>> {
  const { ranges, committed } = await withAdmin(ctx, async (admin) => {
    const ranges = await wholeTopic(admin, ctx.topic);
    const committed =
      ranges.size === 0
        ? new Map<number, number>()
        : await committedOffsets(admin, ctx.groupId, ctx.topic);
    return { ranges, committed };
  });
  const read = async (slice: ReadonlyMap<number, OffsetRange>) =>
    (await readRanges(ctx.client, ctx.topic, slice, 60_000)).map(({ partition, message }) => ({
      id: eventIdOf(message),
      partition,
      offset: Number(message.offset),
    }));
  return classifyLostKafka({ ranges, committed, read }, ids, seen);
}

/** Kafka read over the direct listener (`KAFKA_BROKERS`): group lag, `<topic>.dlq`, members. */
export function inspectKafka(
  config: Config,
  consumerIdentity: (workerId: string) => string,
): TransportInspector {
  const client = createKafkaClient({
    brokers: config.kafka.brokers,
    clientId: 'inspector',
    retries: 3,
  });
  const ctx: Ctx = {
    client,
    topic: config.kafka.topic,
    groupId: config.kafka.groupId,
    consumerIdentity,
  };
  return {
    pending: () => pending(ctx),
    deadLetters: (options = {}) => deadLetters(ctx, options.timeoutMs ?? 20_000),
    heldBy: (workerId) => heldBy(ctx, workerId),
    storedIds: () => storedIds(ctx),
    settled: (size) => settled(ctx, size),
    removeAll: () => removeAll(ctx),
    locate: (ids, seen) => locate(ctx, ids, seen),
  };
}
