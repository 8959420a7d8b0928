import { ReplyError, type Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { TransportName } from './envelope.ts';
import { AppError, errorMessage } from './errors.ts';
import { boundedCommands, createRedisClient } from './transports/redis-client.ts';
import { redisErrorCode } from './transports/redis-error-code.ts';
import { failpoint } from './failpoints.ts';

/**
 * The application's database: a ledger on the sink Redis of every event that reached the
 * handler, written idempotently by `(transport, id)`.
 *
 * Keyspace (one namespace per run, `SINK_NAMESPACE`, default `sink`):
 * - `<ns>:<transport>`        hash, field = event id, value = `firstEffectMs|workerId|pid|deliveries|effects`
 * - `<ns>:<transport>:receipts` hash, field = event id, value = receipts counted by
 *                             `countReceipts` (transports without a broker delivery count)
 * - `<ns>:<transport>:stats`  hash with running totals: `records`, `deliveries`, `effects`,
 *                             `redelivered` (records with deliveries > 1), `doubleEffects`
 *                             (records with effects > 1; 0 unless idempotency is broken)
 *
 * One hash per transport keeps the ledger to a single HSCAN for the checker, and the
 * totals are kept by the same script so counting 10^6 records is one HGETALL.
 */

/** One ledger row. */
export interface SinkRecord {
  id: string;
  /** Wall-clock time (ms since epoch) of the first and only effect. */
  firstEffectMs: number;
  /** Supervisor slot of the worker that applied the effect. */
  workerId: string;
  pid: number;
  /** Deliveries that reached the sink (at least the transport's own delivery count). */
  deliveries: number;
  /** Times the effect was applied: 1, or the idempotency is broken. */
  effects: number;
}

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
  /** Time of this delivery (ms since epoch); defaults to now. */
  nowMs?: number;
}

export interface SinkOptions {
  /** Key prefix, so runs and tests sharing one Redis never see each other's ledger. */
  namespace?: string;
  /** HSCAN COUNT hint per page read by `scan`. */
  scanCount?: number;
}

const DEFAULTS = { namespace: 'sink', scanCount: 1000 } satisfies Required<SinkOptions>;

/**
 * Reply codes that describe the server, not the event: it cannot persist (MISCONF: a failing
 * RDB or AOF write, a full disk), is loading, busy, full, read-only, without its master or
 * replicas, its cluster is down or moving, or it refuses our credentials. The same write
 * succeeds once the server is fixed, so they never count against the event.
 */
const SERVER_STATE_REPLIES: ReadonlySet<string> = new Set([
  'MISCONF',
  'LOADING',
  'BUSY',
  'TRYAGAIN',
  'MASTERDOWN',
  'NOMASTERLINK',
  'READONLY',
  'OOM',
  'NOREPLICAS',
  'CLUSTERDOWN',
  'MOVED',
  'ASK',
  'NOAUTH',
  'WRONGPASS',
  'NOPERM',
]);

/** True for a Redis reply that is about the server's state (see SERVER_STATE_REPLIES). */
export function isServerStateReply(err: unknown): boolean {
  return SERVER_STATE_REPLIES.has(redisErrorCode(err) ?? '');
}

/** The sink could not be written or read; the same call may succeed later. */
export class SinkUnavailableError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('SINK_UNAVAILABLE', message, { retriable: true, ...options });
  }
}

/**
 * KEYS[1] ledger hash, KEYS[2] stats hash; ARGV id, nowMs, workerId, pid, deliveryCount,
 * and ARGV[6] = '1' only under the non-idempotent-effect failpoint.
 * Applies the effect only when the id is new; always counts the delivery. The stored
 * delivery count is max(previous + 1, transport's count), so a redelivery that failed
 * before reaching the sink still shows in the ledger when the transport counts it.
 */
const RECORD_SCRIPT = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
local given = tonumber(ARGV[5])
if not v then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4] .. '|' .. given .. '|1')
  redis.call('HINCRBY', KEYS[2], 'records', 1)
  redis.call('HINCRBY', KEYS[2], 'deliveries', given)
  redis.call('HINCRBY', KEYS[2], 'effects', 1)
  if given > 1 then redis.call('HINCRBY', KEYS[2], 'redelivered', 1) end
  return {1, given, 1}
end
local first, worker, pid, deliveries, effects = string.match(v, '^([^|]*)|([^|]*)|([^|]*)|(%d+)|(%d+)$')
deliveries = tonumber(deliveries)
effects = tonumber(effects)
local total = deliveries + 1
-- FAILPOINT non-idempotent-effect: apply the effect again on a repeated id.
if ARGV[6] == '1' then effects = effects + 1; redis.call('HINCRBY', KEYS[2], 'effects', 1); if effects == 2 then redis.call('HINCRBY', KEYS[2], 'doubleEffects', 1) end end
if given > total then total = given end
redis.call('HSET', KEYS[1], ARGV[1], first .. '|' .. worker .. '|' .. pid .. '|' .. total .. '|' .. effects)
redis.call('HINCRBY', KEYS[2], 'deliveries', total - deliveries)
if deliveries == 1 then redis.call('HINCRBY', KEYS[2], 'redelivered', 1) end
return {0, total, effects}
`;

export function parseSinkValue(id: string, value: string): SinkRecord {
  const [first = '0', workerId = '', pid = '0', deliveries = '0', effects = '0'] = value.split('|');
  return {
    id,
    firstEffectMs: Number(first),
    workerId,
    pid: Number(pid),
    deliveries: Number(deliveries),
    effects: Number(effects),
  };
}

export interface Sink {
  /** One atomic step: apply the effect if new, count the delivery. */
  record(input: RecordInput): Promise<RecordResult>;
  /**
   * Counts one receipt of each id and returns the new counts, in one round trip. For
   * transports whose broker keeps no delivery count (Kafka), this is what makes a
   * redelivery after a crash visible: the count lives here, not in the dead worker.
   */
  countReceipts(transport: TransportName, ids: readonly string[]): Promise<number[]>;
  /** Records of the given ids (missing ids are absent from the map). */
  get(transport: TransportName, ids: readonly string[]): Promise<Map<string, SinkRecord>>;
  /**
   * Every record of a transport, one HSCAN page at a time. Under an incremental rehash
   * Redis may return an id twice; callers that need exact sets dedupe by id, and
   * `counts` gives exact totals without a scan.
   */
  scan(transport: TransportName): AsyncGenerator<SinkRecord[]>;
  counts(transport: TransportName): Promise<SinkCounts>;
  /** Removes a transport's ledger (tests, fresh runs). */
  clear(transport: TransportName): Promise<void>;
}

type RedisWithRecord = Redis & {
  sinkRecord(
    ledger: string,
    stats: string,
    ...args: (string | number)[]
  ): Promise<[number, number, number]>;
};

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

/** A sink over an ioredis connection the caller owns (and closes). */
export function createSink(redis: Redis, options: SinkOptions = {}): Sink {
  const opts = { ...DEFAULTS, ...options };
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
  if (typeof (redis as unknown as Partial<RedisWithRecord>).sinkRecord !== 'function') {
    redis.defineCommand('sinkRecord', { numberOfKeys: 2, lua: RECORD_SCRIPT });
  }
  const client = redis as unknown as RedisWithRecord;
  const ledgerKey = (t: TransportName) => `${opts.namespace}:${t}`;
  const statsKey = (t: TransportName) => `${opts.namespace}:${t}:stats`;
  const receiptsKey = (t: TransportName) => `${opts.namespace}:${t}:receipts`;

  const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      // Redis rejected this write itself (WRONGTYPE, a script error): trying again will not
      // help and must not block the event forever, so it counts against its attempts. A
      // reply about the server's state (MISCONF, LOADING, ...), a timeout or a lost
      // connection says nothing about the event and stays retriable.
      if (err instanceof ReplyError && !isServerStateReply(err)) {
        throw new AppError('SINK_REJECTED', `sink ${what} rejected: ${errorMessage(err)}`, {
          cause: err,
        });
      }
      throw new SinkUnavailableError(`sink ${what} failed: ${errorMessage(err)}`, { cause: err });
    }
  };

  return {
    record: (input) =>
      wrap('record', async () => {
        const [applied, deliveries, effects] = await client.sinkRecord(
          ledgerKey(input.transport),
          statsKey(input.transport),
          input.id,
          input.nowMs ?? Date.now(),
          input.workerId,
          input.pid,
          Math.max(1, Math.floor(input.deliveryCount)),
          failpoint('non-idempotent-effect') ? 1 : 0,
        );
        return { applied: applied === 1, deliveries, effects };
      }),

    countReceipts: (transport, ids) =>
      wrap('receipt count', async () => {
        if (ids.length === 0) return [];
        const pipeline = client.pipeline();
        for (const id of ids) pipeline.hincrby(receiptsKey(transport), id, 1);
        const replies = (await pipeline.exec()) ?? [];
        return replies.map(([err, count]) => {
          if (err) throw err;
          return Number(count);
        });
      }),

    get: (transport, ids) =>
      wrap('get', async () => {
        const out = new Map<string, SinkRecord>();
        if (ids.length === 0) return out;
        const values = await client.hmget(ledgerKey(transport), ...ids);
        values.forEach((v, i) => {
          const id = ids[i];
          if (v !== null && id !== undefined) out.set(id, parseSinkValue(id, v));
        });
        return out;
      }),

    async *scan(transport) {
      let cursor = '0';
      do {
        const [next, flat] = await wrap('scan', () =>
          client.hscan(ledgerKey(transport), cursor, 'COUNT', opts.scanCount),
        );
        cursor = next;
        const page: SinkRecord[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          page.push(parseSinkValue(flat[i] as string, flat[i + 1] as string));
        }
        if (page.length > 0) yield page;
      } while (cursor !== '0');
    },

    counts: (transport) =>
      wrap('counts', async () => {
        const raw = await client.hgetall(statsKey(transport));
        const n = (k: string) => Number(raw[k] ?? 0);
        return {
          records: n('records'),
          deliveries: n('deliveries'),
          effects: n('effects'),
          redelivered: n('redelivered'),
          doubleEffects: n('doubleEffects'),
        };
      }),

    clear: (transport) =>
      wrap('clear', async () => {
        await client.del(ledgerKey(transport), statsKey(transport), receiptsKey(transport));
      }),
  };
}
