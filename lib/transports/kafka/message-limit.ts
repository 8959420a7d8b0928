import kafkajs, { type Admin, type ConfigResourceTypes, type Message } from 'kafkajs';
import { AppError } from '../../errors.ts';

// kafkajs is CommonJS: its enums are on the default export only.
const { ConfigResourceTypes: RESOURCE, KafkaJSProtocolError } = kafkajs;

/**
 * The largest record batch the broker appends (Kafka checks `message.max.bytes`, or the
 * topic's `max.message.bytes`, against each partition's batch of a produce request), and
 * where that figure came from, for the 413 message.
 */
export interface MessageLimit {
  bytes: number;
  setting: string;
}

/** Kafka's own default of both settings (1 MiB plus the 12-byte log overhead). */
export const KAFKA_DEFAULT_MESSAGE_MAX_BYTES = 1048588;

/** An event the broker would refuse however often it is sent: HTTP 413. */
export class MessageTooLargeError extends AppError {
  readonly limitBytes: number;
  constructor(message: string, limitBytes: number) {
    super('TOO_LARGE', message);
    this.limitBytes = limitBytes;
  }
}

/** A v2 record batch header: base offset, length, epoch, magic, CRC, ..., record count. */
const BATCH_OVERHEAD = 61;
/** A record around its key and value, varints at their widest: length, attributes,
 * timestamp and offset deltas, key and value lengths, header count. */
const RECORD_OVERHEAD = 5 + 1 + 10 + 5 + 5 + 5 + 5;
/** A header's key and value lengths. */
const HEADER_OVERHEAD = 5 + 5;

const bytesOf = (v: string | Buffer | null | undefined) =>
  v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;

/** Bytes `message` takes inside a record batch, never fewer than Kafka counts. */
export function recordBytes(message: Message): number {
  let bytes = RECORD_OVERHEAD + bytesOf(message.key) + bytesOf(message.value);
  for (const [key, value] of Object.entries(message.headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) bytes += HEADER_OVERHEAD + Buffer.byteLength(key) + bytesOf(v);
  }
  return bytes;
}

/** The refusal of the first record that no batch could hold; undefined when all fit. */
export function tooLargeError(
  records: readonly { id: string; bytes: number }[],
  limit: MessageLimit,
): MessageTooLargeError | undefined {
  const record = records.find((r) => BATCH_OVERHEAD + r.bytes > limit.bytes);
  if (record === undefined) return undefined;
  return new MessageTooLargeError(
    `event ${record.id} is ${record.bytes} bytes as a Kafka record; the broker takes at ` +
      `most ${limit.bytes} bytes (${limit.setting}): send it smaller`,
    limit.bytes,
  );
}

/**
 * Splits items, in order, into runs whose records together fit in one batch: then every
 * partition's batch of a produce request fits too. An item too large alone gets a run of
 * its own (callers refuse those before).
 */
export function chunkByBytes<T extends { bytes: number }>(
  items: readonly T[],
  limit: MessageLimit,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = BATCH_OVERHEAD;
  for (const item of items) {
    if (current.length > 0 && size + item.bytes > limit.bytes) {
      chunks.push(current);
      current = [];
      size = BATCH_OVERHEAD;
    }
    current.push(item);
    size += item.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * The topic's `max.message.bytes`, else the broker's `message.max.bytes`, else Kafka's
 * default. Only a broker's refusal (a protocol error, e.g. not authorized to describe)
 * moves on to the next source; a broker that cannot be reached fails the setup.
 */
export async function readMessageLimit(admin: Admin, topic: string): Promise<MessageLimit> {
  const fromTopic = await describeBytes(admin, RESOURCE.TOPIC, topic, 'max.message.bytes');
  if (fromTopic !== undefined)
    return { bytes: fromTopic, setting: `max.message.bytes of topic ${topic}` };
  const { brokers } = await admin.describeCluster();
  for (const { nodeId } of brokers) {
    const bytes = await describeBytes(admin, RESOURCE.BROKER, String(nodeId), 'message.max.bytes');
    if (bytes !== undefined) return { bytes, setting: `message.max.bytes of broker ${nodeId}` };
  }
  return { bytes: KAFKA_DEFAULT_MESSAGE_MAX_BYTES, setting: "Kafka's default message.max.bytes" };
}

async function describeBytes(
  admin: Admin,
  type: ConfigResourceTypes,
  name: string,
  configName: string,
): Promise<number | undefined> {
  let response;
  try {
    response = await admin.describeConfigs({
      resources: [{ type, name, configNames: [configName] }],
      includeSynonyms: false,
    });
  } catch (err) {
    if (err instanceof KafkaJSProtocolError) return undefined;
    throw err;
  }
  const entry = response.resources
    .flatMap((r) => (r.errorCode === 0 ? r.configEntries : []))
    .find((e) => e.configName === configName);
  const bytes = Number(entry?.configValue);
  return entry !== undefined && Number.isInteger(bytes) && bytes > 0 ? bytes : undefined;
}
