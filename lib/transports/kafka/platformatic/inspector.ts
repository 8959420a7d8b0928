import type { KafkaRecord } from '@platformatic/kafka';
import type { Config } from '../../../config.ts';
import { decodeEnvelope } from '../../../envelope.ts';
import { deadLetterTopic } from '../../dead-letter-names.ts';
import type { LostClass, TransportInspector } from '../../driver.ts';
import type { DeadLetter, PendingState } from '../../types.ts';
import { groupLag } from '../lag.ts';
import { classifyLostKafka } from '../lost-places.ts';
import type { OffsetRange } from '../read-range.ts';
import { withPlatformaticAdmin, type PlatformaticClientOptions } from './client.ts';
import {
  describePlatformaticGroup,
  platformaticCommittedOffsets,
  platformaticWatermarks,
} from './group.ts';
import { headerText } from './message.ts';
import { readPlatformaticRanges } from './read-range.ts';

/** What every read needs: the direct listener and the run's names. */
interface Ctx {
  client: PlatformaticClientOptions;
  topic: string;
  groupId: string;
  consumerIdentity: (workerId: string) => string;
}

const headersOf = (r: KafkaRecord) => new Map(r.headers.map(([k, v]) => [k ?? '', v ?? undefined]));

/** The id of a record: the envelope's, else the `id` header, else the key. */
function eventIdOf(record: KafkaRecord): string {
  let id = headerText(headersOf(record), 'id') ?? record.key?.toString() ?? '';
  if (record.value) {
    try {
      id = decodeEnvelope(record.value).id;
    } catch {
      // keep the header id: a malformed event is still an event
    }
  }
  return id;
}

async function wholeTopic(ctx: Ctx, topic: string): Promise<Map<number, OffsetRange>> {
  const marks = await withPlatformaticAdmin(ctx.client, (a) => platformaticWatermarks(a, topic));
  return new Map(marks.map((w) => [w.partition, { from: Number(w.low), to: Number(w.high) }]));
}

function pending(ctx: Ctx): Promise<PendingState> {
  return withPlatformaticAdmin(ctx.client, async (admin) => {
    const [watermarks, committed] = await Promise.all([
      platformaticWatermarks(admin, ctx.topic),
      platformaticCommittedOffsets(admin, ctx.groupId, ctx.topic),
    ]);
    if (watermarks.length === 0)
      return { transport: 'kafka', pending: 0, detail: { lag: 0, partitions: 0 } };
    return { transport: 'kafka', ...groupLag(watermarks, committed) };
  });
}

async function deadLetters(ctx: Ctx, timeoutMs: number): Promise<DeadLetter[]> {
  const dlq = deadLetterTopic(ctx.topic);
  const read = await readPlatformaticRanges(ctx.client, dlq, await wholeTopic(ctx, dlq), timeoutMs);
  return read.map(({ record }) => {
    const headers = headersOf(record);
    return {
      id: eventIdOf(record),
      error: headerText(headers, 'error') ?? '',
      deliveries: Number(headerText(headers, 'deliveries') ?? 0),
    };
  });
}

/** The member's partitions and the record at each committed offset (its successor's first). */
async function heldBy(ctx: Ctx, workerId: string): Promise<string[]> {
  const ranges = await withPlatformaticAdmin(ctx.client, async (admin) => {
    const group = await describePlatformaticGroup(admin, ctx.groupId, ctx.topic);
    const member = group.members.find((m) => m.clientId === ctx.consumerIdentity(workerId));
    const committed = await platformaticCommittedOffsets(admin, ctx.groupId, ctx.topic);
    const marks = await platformaticWatermarks(admin, ctx.topic);
    return new Map(
      (member?.partitions ?? []).map((p) => {
        const w = marks.find((m) => m.partition === p);
        const from = Math.max(committed.get(p) ?? -1, Number(w?.low ?? 0));
        return [p, { from, to: Math.min(from + 1, Number(w?.high ?? 0)) }];
      }),
    );
  });
  return (await readPlatformaticRanges(ctx.client, ctx.topic, ranges, 10_000)).map((r) =>
    eventIdOf(r.record),
  );
}

async function storedIds(ctx: Ctx): Promise<Set<string>> {
  const ranges = await wholeTopic(ctx, ctx.topic);
  const read = await readPlatformaticRanges(ctx.client, ctx.topic, ranges, 60_000);
  return new Set(read.map((r) => eventIdOf(r.record)));
}

function settled(ctx: Ctx, size: number): Promise<boolean> {
  return withPlatformaticAdmin(ctx.client, async (admin) => {
    const group = await describePlatformaticGroup(admin, ctx.groupId, ctx.topic);
    return (
      group.state === 'Stable' &&
      group.members.length === size &&
      group.members.every((m) => m.partitions.length > 0)
    );
  });
}

function removeAll(ctx: Ctx): Promise<void> {
  return withPlatformaticAdmin(ctx.client, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const topics = [ctx.topic, deadLetterTopic(ctx.topic)].filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.deleteGroups({ groups: [ctx.groupId] }).catch(() => undefined);
  });
}

/** Places lost ids (../lost-places.ts), reading the topic a slice at a time. */
async function locate(
  ctx: Ctx,
  ids: readonly string[],
  seen: (id: string) => boolean,
): Promise<Map<string, LostClass>> {
  const ranges = await wholeTopic(ctx, ctx.topic);
  const committed =
    ranges.size === 0
      ? new Map<number, number>()
      : await withPlatformaticAdmin(ctx.client, (admin) =>
          platformaticCommittedOffsets(admin, ctx.groupId, ctx.topic),
        );
  const read = async (slice: ReadonlyMap<number, OffsetRange>) =>
    (await readPlatformaticRanges(ctx.client, ctx.topic, slice, 60_000)).map((r) => ({
      id: eventIdOf(r.record),
      partition: r.partition,
      offset: r.offset,
    }));
  return classifyLostKafka({ ranges, committed, read }, ids, seen);
}

/** The Kafka reads of inspector.ts through @platformatic/kafka, on the direct listener. */
export function inspectPlatformatic(
  config: Config,
  consumerIdentity: (workerId: string) => string,
): TransportInspector {
  const ctx: Ctx = {
    client: { brokers: config.kafka.brokers, clientId: 'inspector', retries: 3 },
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
