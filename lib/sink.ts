import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { TransportName } from './envelope.ts';
import { AppError } from './errors.ts';
import { failpoint } from './failpoints.ts';
import { sinkCall } from './sink-errors.ts';
import { parseIntervals, parseSinkValue, type SinkRecord } from './sink-record.ts';
import { RECORD_SCRIPT } from './sink-script.ts';
import { formatPosition, type BrokerPosition } from './transports/position.ts';
import { boundedCommands, createRedisClient } from './transports/redis-client.ts';

export { isServerStateReply, SinkUnavailableError } from './sink-errors.ts';
export { deliveryIntervals, parseSinkValue } from './sink-record.ts';
export type { DeliveryInterval, SinkRecord } from './sink-record.ts';

/**
 * The application's database: a ledger on the sink Redis of every event that reached the
 * handler, written idempotently by `(transport, id)`.
 *
 * Keyspace (one namespace per run, `SINK_NAMESPACE`, default `sink`):
 * - `<ns>:<transport>`        hash, field = event id, value =
 *                             `firstEffectMs|workerId|pid|deliveries|effects|startMs|position|keySeq`
 *                             (sink-record.ts; the last three empty when not given)
 * - `<ns>:<transport>:receipts` hash, field = event id, value = receipts counted by
 *                             `countReceipts` (transports without a broker delivery count)
 * - `<ns>:<transport>:stats`  hash with running totals: `records`, `deliveries`, `effects`,
 *                             `redelivered` (records with deliveries > 1), `doubleEffects`
 *                             (records with effects > 1; 0 unless idempotency is broken)
 * - `<ns>:<transport>:intervals` hash, field = event id, value = the processing intervals
 *                             of its later deliveries; only ids delivered more than once
 * - `<ns>:<transport>:keyseq` hash, field = event key, value = first effects of that key so
 *                             far; only keyed events
 *
 * One hash per transport keeps the ledger to a single HSCAN for the checker, and the
 * totals are kept by the same script so counting 10^6 records is one HGETALL.
 */

export interface SinkCounts {
  records: number;
  deliveries: number;
  effects: number;
  redelivered: number;
  doubleEffects: number;
}

/** What `record` reports back: whether this call applied the effect. */
export interface RecordResult {
  applied: boolean;
  deliveries: number;
  effects: number;
}

export interface RecordInput {
  transport: TransportName;
  id: string;
  workerId: string;
  pid: number;
  /** The transport's delivery count for this delivery (1 on first delivery). */
  deliveryCount: number;
  /** Time of this delivery's effect (ms since epoch); defaults to now. */
  nowMs?: number;
  /** When this delivery reached the handler (ms since epoch): its interval's start. */
  startMs?: number;
  /** Where the broker held the event. */
  position?: BrokerPosition;
  /** The event's own key: its first effect gets the key's next sequence number. */
  key?: string;
}

export interface SinkOptions {
  /** Key prefix, so runs and tests sharing one Redis never see each other's ledger. */
  namespace?: string;
  /** HSCAN COUNT hint per page read by `scan`. */
  scanCount?: number;
}

const DEFAULTS = { namespace: 'sink', scanCount: 1000 } satisfies Required<SinkOptions>;

export interface Sink {
  /** One atomic step: apply the effect if new, count the delivery. */
  record(input: RecordInput): Promise<RecordResult>;
  /**
   * Counts one receipt of each id and returns the new counts, in one round trip. For
   * transports whose broker keeps no delivery count (Kafka), this is what makes a
   * redelivery after a crash visible: the count lives here, not in the dead worker.
   */
  countReceipts(transport: TransportName, ids: readonly string[]): Promise<number[]>;
  /** Records of the given ids (missing ids are absent from the map), with their intervals. */
  get(transport: TransportName, ids: readonly string[]): Promise<Map<string, SinkRecord>>;
  /**
   * Every record of a transport, one HSCAN page at a time, with the intervals of those
   * delivered more than once. Under an incremental rehash Redis may return an id twice;
   * callers that need exact sets dedupe by id, and `counts` gives exact totals without a
   * scan.
   */
  scan(transport: TransportName): AsyncGenerator<SinkRecord[]>;
  counts(transport: TransportName): Promise<SinkCounts>;
  /** Removes a transport's ledger (tests, fresh runs). */
  clear(transport: TransportName): Promise<void>;
}

type RedisWithRecord = Redis & {
  sinkRecord(...args: (string | number)[]): Promise<[number, number, number]>;
};

/** The sink's keys of one transport. */
interface SinkKeys {
  ledger: string;
  stats: string;
  receipts: string;
  intervals: string;
  keySeq: string;
}

/**
 * The workers' connection to the sink: every command bounded by SINK_COMMAND_TIMEOUT_MS, so
 * a sink that stays connected but never answers fails the write as retriable instead of
 * holding the event (and its partition or lock) forever.
 */
export function createSinkClient(config: Config, connectionName: string): Redis {
  return createRedisClient(config.sink.workersUrl, connectionName, {
    maxRetriesPerRequest: 1,
    ...boundedCommands(config.sink.commandTimeoutMs),
  });
}

function checkOptions(opts: Required<SinkOptions>): void {
  if (!/^[A-Za-z0-9._:-]+$/.test(opts.namespace)) {
    throw new AppError(
      'CONFIG',
      `sink namespace must match [A-Za-z0-9._:-]+, got "${opts.namespace}"`,
    );
  }
  if (!Number.isInteger(opts.scanCount) || opts.scanCount < 1) {
    throw new AppError(
      'CONFIG',
      `sink scanCount must be a positive integer, got ${opts.scanCount}`,
    );
  }
}

/** A sink over an ioredis connection the caller owns (and closes). */
export function createSink(redis: Redis, options: SinkOptions = {}): Sink {
  const opts = { ...DEFAULTS, ...options };
  checkOptions(opts);
  if (typeof (redis as unknown as Partial<RedisWithRecord>).sinkRecord !== 'function') {
    redis.defineCommand('sinkRecord', { numberOfKeys: 4, lua: RECORD_SCRIPT });
  }
  const client = redis as unknown as RedisWithRecord;
  const keys = (t: TransportName): SinkKeys => ({
    ledger: `${opts.namespace}:${t}`,
    stats: `${opts.namespace}:${t}:stats`,
    receipts: `${opts.namespace}:${t}:receipts`,
    intervals: `${opts.namespace}:${t}:intervals`,
    keySeq: `${opts.namespace}:${t}:keyseq`,
  });
  return {
    record: (input) => sinkCall('record', () => recordOnce(client, keys(input.transport), input)),
    countReceipts: (t, ids) => sinkCall('receipt count', () => countReceipts(client, keys(t), ids)),
    get: (t, ids) => sinkCall('get', () => getRecords(client, keys(t), ids)),
    scan: (t) => scanRecords(client, keys(t), opts.scanCount),
    counts: (t) => sinkCall('counts', () => readCounts(client, keys(t))),
    clear: (t) =>
      sinkCall('clear', async () => {
        const k = keys(t);
        await redis.del(k.ledger, k.stats, k.receipts, k.intervals, k.keySeq);
      }),
  };
}

async function recordOnce(
  client: RedisWithRecord,
  k: SinkKeys,
  input: RecordInput,
): Promise<RecordResult> {
  const [applied, deliveries, effects] = await client.sinkRecord(
    k.ledger,
    k.stats,
    k.intervals,
    k.keySeq,
    input.id,
    input.nowMs ?? Date.now(),
    input.workerId,
    input.pid,
    Math.max(1, Math.floor(input.deliveryCount)),
    failpoint('non-idempotent-effect') ? 1 : 0,
    input.startMs === undefined ? '' : Math.floor(input.startMs),
    input.position === undefined ? '' : formatPosition(input.position),
    input.key ?? '',
  );
  return { applied: applied === 1, deliveries, effects };
}

async function countReceipts(
  client: Redis,
  k: SinkKeys,
  ids: readonly string[],
): Promise<number[]> {
  if (ids.length === 0) return [];
  const pipeline = client.pipeline();
  for (const id of ids) pipeline.hincrby(k.receipts, id, 1);
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([err, count]) => {
    if (err) throw err;
    return Number(count);
  });
}

async function getRecords(
  client: Redis,
  k: SinkKeys,
  ids: readonly string[],
): Promise<Map<string, SinkRecord>> {
  const out = new Map<string, SinkRecord>();
  if (ids.length === 0) return out;
  const values = await client.hmget(k.ledger, ...ids);
  const page: SinkRecord[] = [];
  values.forEach((v, i) => {
    const id = ids[i];
    if (v !== null && id !== undefined) page.push(parseSinkValue(id, v));
  });
  await attachIntervals(client, k, page);
  for (const rec of page) out.set(rec.id, rec);
  return out;
}

async function* scanRecords(
  client: Redis,
  k: SinkKeys,
  scanCount: number,
): AsyncGenerator<SinkRecord[]> {
  let cursor = '0';
  do {
    const [next, flat] = await sinkCall('scan', () =>
      client.hscan(k.ledger, cursor, 'COUNT', scanCount),
    );
    cursor = next;
    const page: SinkRecord[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      page.push(parseSinkValue(flat[i] as string, flat[i + 1] as string));
    }
    await sinkCall('scan', () => attachIntervals(client, k, page));
    if (page.length > 0) yield page;
  } while (cursor !== '0');
}

/** Reads the intervals of the records delivered more than once (one HMGET per page). */
async function attachIntervals(client: Redis, k: SinkKeys, page: SinkRecord[]): Promise<void> {
  const repeated = page.filter((r) => r.deliveries > 1);
  if (repeated.length === 0) return;
  const values = await client.hmget(k.intervals, ...repeated.map((r) => r.id));
  repeated.forEach((rec, i) => {
    const v = values[i];
    if (v) rec.intervals = parseIntervals(v);
  });
}

async function readCounts(client: Redis, k: SinkKeys): Promise<SinkCounts> {
  const raw = await client.hgetall(k.stats);
  const n = (key: string) => Number(raw[key] ?? 0);
  return {
    records: n('records'),
    deliveries: n('deliveries'),
    effects: n('effects'),
    redelivered: n('redelivered'),
    doubleEffects: n('doubleEffects'),
  };
}
