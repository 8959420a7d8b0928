import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import { decodeEnvelope, type EventEnvelope } from '../../envelope.ts';
import { PermanentHandlerError, errorMessage } from '../../errors.ts';
import { failpoint } from '../../failpoints.ts';
import { createLogger } from '../../log.ts';
import { createMicroBatcher } from '../../micro-batcher.ts';
import { deadLetterStream } from '../dead-letter-names.ts';
import { createLimiter } from '../limiter.ts';
import { boundedCommands, createRedisClient } from '../redis-client.ts';
import { redisConsumerName } from './identity.ts';
import { pairsToMap } from '../redis-pairs.ts';
import { redisErrorCode } from '../redis-error-code.ts';
import { backoffMs } from '../../retry.ts';
import { classifyFailure, decideDelivery, deliveryLimits } from '../delivery-policy.ts';
import type { Consumer, Handler, WorkerConsumerOptions } from '../types.ts';

/** `fields` is null for a pending entry that was deleted from the stream. */
type StreamEntry = [id: string, fields: string[] | null];
type ReadReply = [stream: string, entries: StreamEntry[]][] | null;
/** ioredis' overloads cannot take a built argument list; the reply shape is Redis' own. */
type XReadGroup = { xreadgroup(...args: (string | number)[]): Promise<ReadReply> };

/**
 * Deletes group consumers that hold nothing and have been idle past ARGV[1] ms, except
 * ARGV[2] (the caller). Atomic, so a consumer cannot read an entry between the check and
 * the delete (DELCONSUMER would drop its pending entries).
 */
const PRUNE_SCRIPT = `
local deleted = 0
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[3])) do
  local info = {}
  for i = 1, #c, 2 do info[c[i]] = c[i + 1] end
  if info['name'] ~= ARGV[2] and info['pending'] == 0 and info['idle'] > tonumber(ARGV[1]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[3], info['name'])
    deleted = deleted + 1
  end
end
return deleted
`;

/**
 * KEYS[1] stream, KEYS[2] dead-letter stream; ARGV[1] group, ARGV[2] entry id, ARGV[3..] the
 * dead letter's field/value pairs. The XACK runs only once the XADD succeeded: a failing
 * XADD (WRONGTYPE, OOM, MISCONF) aborts the script and the entry stays pending.
 */
const DEAD_LETTER_SCRIPT = `
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
`;

/** The consume loop backs off 200 ms to 2 s after an error (a Redis that is down). */
const LOOP_BACKOFF = { baseMs: 200, maxMs: 2000, jitter: 'equal' } as const;

/**
 * Redis Streams consumer-group worker.
 *
 * On start the group is created from `0` with MKSTREAM (and again whenever a read reports
 * NOGROUP), then the worker re-reads its own pending entries (id `0`, left by a predecessor
 * with the same name) before new ones (`>`). It reads on while entries are handled (so one
 * slow entry does not stall its intake), holding at most `max(batchSize, concurrency)` and
 * reading again once half of that is done (reads stay large). Every `claimIntervalMs` it
 * XAUTOCLAIMs entries idle past `claimIdleMs` from dead or stuck consumers. An entry is
 * XACKed only after the handler resolved. A failed entry stays pending and comes back
 * through XAUTOCLAIM; once the delivery policy (delivery-policy.ts, from the delivery count
 * in XPENDING) says dead-letter, it is copied to `<stream>.dlq` with the error and
 * acknowledged by one script that acknowledges only after the copy succeeded. Every command
 * is bounded by REDIS_COMMAND_TIMEOUT_MS (the blocking read by that plus its block time).
 * Entries are never trimmed. Consumers that hold nothing and are idle past
 * `consumerDeleteIdleMs` are deleted.
 */
export function createRedisConsumer(
  config: Config,
  handler: Handler,
  options: WorkerConsumerOptions,
): Consumer {
  const { redis: r, workers: w } = config;
  const name = redisConsumerName(options.workerId);
  const log =
    options.logger ??
    createLogger('redis-consumer', { workerId: options.workerId, consumer: name });
  const dlq = deadLetterStream(r.stream);
  const limits = deliveryLimits(w);
  const limit = createLimiter(w.concurrency);
  // Two connections: XREADGROUP BLOCK holds one, acks and claims go over the other.
  let reader: Redis | undefined;
  let cmd: Redis | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let drainPromise: Promise<void> | undefined;
  const stop = new AbortController();
  /** Entries being handled, and their ids. */
  const inFlight = new Set<Promise<void>>();
  const holding = new Set<string>();
  const capacity = Math.max(w.batchSize, w.concurrency);
  const lowWater = Math.floor(capacity / 2);
  /** Set while the loop waits for room; called once no more than lowWater are held. */
  let onRoom: (() => void) | undefined;
  // Acks of one event-loop turn go out as one XACK.
  const acks = createMicroBatcher<string>({
    lingerMs: 0,
    maxItems: 1000,
    flush: async (ids) => void (await (cmd as Redis).xack(r.stream, r.groupName, ...ids)),
  });

  async function ensureGroup(client: Redis) {
    try {
      // FAILPOINT group-from-latest: the group starts at `$`, skipping what is already queued.
      const from = failpoint('group-from-latest') ? '$' : '0';
      await client.xgroup('CREATE', r.stream, r.groupName, from, 'MKSTREAM');
      log.info({ stream: r.stream, group: r.groupName, from }, 'consumer group created');
    } catch (err) {
      if (redisErrorCode(err) !== 'BUSYGROUP') throw err;
    }
  }

  /** Delivery counts of the given entries, from the group's PEL (one XPENDING each, pipelined). */
  async function deliveryCounts(client: Redis, ids: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (ids.length === 0) return counts;
    const pipeline = client.pipeline();
    for (const id of ids) pipeline.xpending(r.stream, r.groupName, id, id, 1);
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([err, rows], i) => {
      const row = (rows as [string, string, number, number][] | null)?.[0];
      if (!err && row) counts.set(ids[i] as string, row[3]);
    });
    return counts;
  }

  /** Copies the entry to the dead-letter stream and acknowledges it; throws if the copy failed. */
  async function deadLetter(
    client: Redis,
    entryId: string,
    map: Map<string, string>,
    id: string,
    err: unknown,
    deliveryCount: number,
  ) {
    const fields: Record<string, string> = {
      id,
      type: map.get('type') ?? '',
      envelope: map.get('envelope') ?? '',
      error: errorMessage(err),
      deliveries: String(deliveryCount),
      entry: entryId,
    };
    await client.eval(
      DEAD_LETTER_SCRIPT,
      2,
      r.stream,
      dlq,
      r.groupName,
      entryId,
      ...Object.entries(fields).flat(),
    );
  }

  /**
   * Handles one delivery; true when it is done and must be acknowledged. A failure leaves the
   * entry pending for XAUTOCLAIM, until the delivery policy says dead-letter: then it is
   * dead-lettered (and acknowledged by the same script). A failed dead-letter write throws,
   * so the entry stays pending and is tried again.
   */
  async function handleEntry(
    client: Redis,
    [entryId, fields]: StreamEntry,
    deliveryCount: number,
  ): Promise<boolean> {
    if (fields === null) {
      // Deleted from the stream while pending (XDEL/XTRIM): nothing left to process, and
      // leaving it pending would wedge the re-read of our own history. Acknowledge it.
      log.warn({ entryId }, 'pending entry no longer in the stream; acknowledging it');
      return true;
    }
    const map = pairsToMap(fields);
    let event: EventEnvelope | undefined;
    try {
      const raw = map.get('envelope');
      if (raw === undefined)
        throw new PermanentHandlerError(`entry ${entryId} has no envelope field`);
      event = decodeEnvelope(raw);
      // FAILPOINT ack-before-effect: XACK before the sink write.
      if (failpoint('ack-before-effect')) await client.xack(r.stream, r.groupName, entryId);
      await handler({ event, deliveryCount });
    } catch (err) {
      const failure = classifyFailure(err);
      // The retry delay is XAUTOCLAIM's (claimIdleMs); only the verdict is used here.
      if (decideDelivery({ failure, deliveries: deliveryCount }, limits).action === 'retry') {
        // Stays pending; XAUTOCLAIM hands it out again after claimIdleMs.
        log.debug(
          { entryId, failure, deliveryCount, err: errorMessage(err) },
          'delivery failed; retrying',
        );
        return false;
      }
      // FAILPOINT drop-dead-letters: acknowledged without the dead-letter write.
      if (failpoint('drop-dead-letters')) return true;
      await deadLetter(client, entryId, map, event?.id ?? map.get('id') ?? '', err, deliveryCount);
      log.warn({ entryId, id: event?.id, deliveryCount, err: errorMessage(err) }, 'dead-lettered');
      return false;
    }
    return true;
  }

  /**
   * Starts handling entries without waiting for them (the read loop goes on while it has
   * room). `holding` keeps their ids so our own sweep never claims what we are handling.
   */
  function dispatch(client: Redis, entries: StreamEntry[], counts: Map<string, number> | null) {
    for (const entry of entries) {
      const entryId = entry[0];
      holding.add(entryId);
      // The XACK waits outside the limiter: acks of many entries go out as one command.
      const done: Promise<void> = limit(() => handleEntry(client, entry, counts?.get(entryId) ?? 1))
        .then((finished) => (finished ? acks.add([entryId]) : undefined))
        .catch((err: unknown) =>
          // Not acknowledged: the entry stays pending and comes back through XAUTOCLAIM.
          log.warn({ entryId, err: errorMessage(err) }, 'entry left pending after an error'),
        )
        .finally(() => {
          holding.delete(entryId);
          inFlight.delete(done);
          if (inFlight.size <= lowWater) onRoom?.();
        });
      inFlight.add(done);
    }
  }

  async function read(
    client: Redis,
    id: string,
    block: boolean,
    count = w.batchSize,
  ): Promise<StreamEntry[]> {
    const args: (string | number)[] = ['GROUP', r.groupName, name, 'COUNT', count];
    if (block) args.push('BLOCK', r.blockMs);
    args.push('STREAMS', r.stream, id);
    try {
      const reply = await (client as unknown as XReadGroup).xreadgroup(...args);
      return reply?.[0]?.[1] ?? [];
    } catch (err) {
      if (redisErrorCode(err) !== 'NOGROUP') throw err;
      log.warn('consumer group vanished; recreating it from 0');
      await ensureGroup(cmd as Redis);
      return [];
    }
  }

  /** XAUTOCLAIMs up to `room` entries idle past claimIdleMs (from dead or stuck consumers). */
  async function claim(client: Redis, room: number) {
    let cursor = '0-0';
    // Bounded in pages so a huge PEL cannot starve new reads.
    for (let page = 0; page < 10 && running && room > 0; page += 1) {
      const [next, entries] = (await client.xautoclaim(
        r.stream,
        r.groupName,
        name,
        r.claimIdleMs,
        cursor,
        'COUNT',
        room,
      )) as [string, (StreamEntry | null)[], string[]?];
      // Our own slow entries come back too (idle is per entry): they are being handled already.
      const live = entries.filter((e): e is StreamEntry => e !== null && !holding.has(e[0]));
      if (live.length > 0) {
        log.info({ claimed: live.length }, 'claimed idle entries');
        dispatch(
          client,
          live,
          await deliveryCounts(
            client,
            live.map(([id]) => id),
          ),
        );
        room -= live.length;
      }
      cursor = next;
      if (cursor === '0-0') return;
    }
  }

  /** Our own history: entries a predecessor with this name read but never acked. */
  async function rereadOwnHistory(rd: Redis, c: Redis) {
    // One pass from 0: entries that fail again stay pending for XAUTOCLAIM.
    let from = '0';
    for (;;) {
      const own = await read(rd, from, false);
      if (own.length > 0) {
        dispatch(
          c,
          own,
          await deliveryCounts(
            c,
            own.map(([id]) => id),
          ),
        );
        await Promise.allSettled([...inFlight]);
      }
      const last = own[own.length - 1];
      if (!last || own.length < w.batchSize || !running) return;
      from = last[0];
    }
  }

  /** Until no more than lowWater entries are held, or claimIntervalMs (for the next sweep). */
  async function waitForRoom() {
    const wake = new AbortController();
    const room = new Promise<void>((resolve) => (onRoom = resolve));
    const tick = sleep(r.claimIntervalMs, undefined, { signal: wake.signal }).catch(() => {});
    await Promise.race([room, tick]);
    wake.abort();
    onRoom = undefined;
  }

  async function run() {
    const rd = reader as Redis;
    const c = cmd as Redis;
    // FAILPOINT no-claim: no re-read of our own pending entries (and no XAUTOCLAIM below).
    let historyDone = failpoint('no-claim');
    let lastClaim = 0;
    let lastPrune = Date.now();
    let failures = 0;
    while (running) {
      try {
        if (!historyDone) {
          await rereadOwnHistory(rd, c);
          historyDone = true;
          continue;
        }
        const room = () => capacity - inFlight.size;
        const now = Date.now();
        if (now - lastClaim >= r.claimIntervalMs && !failpoint('no-claim') && room() > 0) {
          lastClaim = now;
          await claim(c, room());
        }
        if (now - lastPrune >= Math.min(r.consumerDeleteIdleMs, 30_000)) {
          lastPrune = now;
          const deleted = (await c.eval(
            PRUNE_SCRIPT,
            1,
            r.stream,
            r.consumerDeleteIdleMs,
            name,
            r.groupName,
          )) as number;
          if (deleted > 0) log.info({ deleted }, 'deleted idle consumers with nothing pending');
        }
        if (!running) break;
        if (inFlight.size > lowWater) {
          await waitForRoom();
          continue;
        }
        dispatch(c, await read(rd, '>', true, room()), null);
        failures = 0;
      } catch (err) {
        if (!running) break;
        failures += 1;
        log.warn({ err: errorMessage(err) }, 'redis consume loop error; retrying');
        await sleep(backoffMs(failures, LOOP_BACKOFF), undefined, { signal: stop.signal }).catch(
          () => {},
        );
      }
    }
  }

  return {
    transport: 'redis',

    async start() {
      // Commands fail at once while disconnected (factory default); the loop backs off and retries.
      cmd = createRedisClient(r.workersUrl, `${name}-cmd`, {
        lazyConnect: true,
        ...boundedCommands(r.commandTimeoutMs),
      });
      // The reader blocks up to blockMs; its bound comes on top of that.
      reader = createRedisClient(r.workersUrl, `${name}-read`, {
        lazyConnect: true,
        ...boundedCommands(r.commandTimeoutMs, r.blockMs),
      });
      await Promise.all([cmd.connect(), reader.connect()]);
      await ensureGroup(cmd);
      running = true;
      loop = run();
      loop.catch((err: unknown) =>
        log.error({ err: errorMessage(err) }, 'redis consume loop stopped'),
      );
      log.info({ stream: r.stream, group: r.groupName }, 'redis consumer running');
    },

    drain() {
      drainPromise ??= (async () => {
        running = false;
        stop.abort();
        // The loop ends after its current read (at most blockMs); then the entries it holds
        // are finished and acknowledged.
        await loop?.catch(() => {});
        await Promise.allSettled([...inFlight]);
        await acks.drain();
        await Promise.allSettled([cmd?.quit(), reader?.quit()]);
        log.info('redis consumer drained');
      })();
      return drainPromise;
    },
  };
}
