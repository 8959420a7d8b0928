import type { MessageToProduce } from '@platformatic/kafka';
import type { EventEnvelope } from '../../../envelope.ts';
import { toKafkaMessage } from '../message.ts';
import { recordBytes } from '../message-limit.ts';

/** A record as @platformatic/kafka takes it: Buffers everywhere. */
export type PlatformaticRecord = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

/** The same record as the kafkajs driver writes (key, value, `id` and `type` headers). */
export function toPlatformaticRecord(topic: string, event: EventEnvelope): PlatformaticRecord {
  return fromKafkaMessage(topic, toKafkaMessage(event));
}

/** A kafkajs-shaped message (string or Buffer parts) as a record of `topic`. */
export function fromKafkaMessage(
  topic: string,
  m: { key: string | Buffer | null; value: Buffer | null; headers: Record<string, string> },
): PlatformaticRecord {
  const headers = new Map<Buffer, Buffer>();
  for (const [k, v] of Object.entries(m.headers)) headers.set(Buffer.from(k), Buffer.from(v));
  return {
    topic,
    key: m.key === null ? undefined : Buffer.from(m.key),
    value: m.value ?? undefined,
    headers,
  };
}

/** One event as the record it becomes, with its size in a record batch (message-limit.ts). */
export interface SizedRecord {
  id: string;
  record: PlatformaticRecord;
  bytes: number;
}

export function toSizedRecord(topic: string, event: EventEnvelope): SizedRecord {
  const message = toKafkaMessage(event);
  return { id: event.id, record: fromKafkaMessage(topic, message), bytes: recordBytes(message) };
}

/** A header of a received record, as text (header keys arrive as Buffers). */
export function headerText(
  headers: ReadonlyMap<Buffer | string, Buffer | string | undefined> | undefined,
  name: string,
): string | undefined {
  for (const [k, v] of headers ?? []) if (k.toString() === name) return v?.toString();
  return undefined;
}
