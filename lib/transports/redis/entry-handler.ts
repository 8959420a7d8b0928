import type { Redis } from 'ioredis';
import { decodeEnvelope, type EventEnvelope } from '../../envelope.ts';
import { PermanentHandlerError, errorMessage } from '../../errors.ts';
import { failpoint } from '../../failpoints.ts';
import { classifyFailure, decideDelivery } from '../delivery-policy.ts';
import type { BrokerPosition } from '../position.ts';
import { pairsToMap } from '../redis-pairs.ts';
import { readTraceFields } from '../../tracing/trace-fields.ts';
import type { RedisConsumerState, StreamEntry } from './consumer-state.ts';

/**
 * KEYS[1] stream, KEYS[2] dead-letter stream; ARGV[1] group, ARGV[2] entry id, ARGV[3..] the
 * dead letter's field/value pairs. The XACK runs only once the XADD succeeded: a failing
 * XADD (WRONGTYPE, OOM, MISCONF) aborts the script and the entry stays pending.
 */
const DEAD_LETTER_SCRIPT = `
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
`;

/** A stream entry id `<ms>-<seq>` as a broker position (one stream: one shard). */
export function entryPosition(entryId: string): BrokerPosition | undefined {
  const m = /^(\d+)-(\d+)$/.exec(entryId);
  return m ? { shard: '', at: [Number(m[1]), Number(m[2])] } : undefined;
}

/**
 * Handles one delivery; true when it is done and must be acknowledged. A failure leaves the
 * entry pending for XAUTOCLAIM, until the delivery policy says dead-letter: then it is
 * dead-lettered (and acknowledged by the same script). A failed dead-letter write throws,
 * so the entry stays pending and is tried again.
 */
export async function handleEntry(
  s: RedisConsumerState,
  client: Redis,
  [entryId, fields]: StreamEntry,
  deliveryCount: number,
): Promise<boolean> {
  if (fields === null) {
    // Deleted from the stream while pending (XDEL/XTRIM): nothing left to process, and
    // leaving it pending would wedge the re-read of our own history. Acknowledge it.
    s.log.warn({ entryId }, 'pending entry no longer in the stream; acknowledging it');
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
    if (failpoint('ack-before-effect')) await client.xack(s.r.stream, s.r.groupName, entryId);
    const position = entryPosition(entryId);
    const trace = readTraceFields((name) => map.get(name));
    await s.handler({
      event,
      deliveryCount,
      ...(position ? { position } : {}),
      ...(trace ? { trace } : {}),
    });
  } catch (err) {
    return failedEntry(s, client, { entryId, map, event, err, deliveryCount });
  }
  return true;
}

interface Failed {
  entryId: string;
  map: Map<string, string>;
  event: EventEnvelope | undefined;
  err: unknown;
  deliveryCount: number;
}

/** Left pending (false) to be retried, or dead-lettered and acknowledged by the script. */
async function failedEntry(s: RedisConsumerState, client: Redis, f: Failed): Promise<boolean> {
  const { entryId, err, deliveryCount } = f;
  const failure = classifyFailure(err);
  // The retry delay is XAUTOCLAIM's (claimIdleMs); only the verdict is used here.
  if (decideDelivery({ failure, deliveries: deliveryCount }, s.limits).action === 'retry') {
    s.log.debug(
      { entryId, failure, deliveryCount, err: errorMessage(err) },
      'delivery failed; retrying',
    );
    return false;
  }
  // FAILPOINT drop-dead-letters: acknowledged without the dead-letter write.
  if (failpoint('drop-dead-letters')) return true;
  const fields: Record<string, string> = {
    id: f.event?.id ?? f.map.get('id') ?? '',
    type: f.map.get('type') ?? '',
    envelope: f.map.get('envelope') ?? '',
    error: errorMessage(err),
    deliveries: String(deliveryCount),
    entry: entryId,
  };
  await client.eval(
    DEAD_LETTER_SCRIPT,
    2,
    s.r.stream,
    s.dlq,
    s.r.groupName,
    entryId,
    ...Object.entries(fields).flat(),
  );
  s.log.warn({ entryId, id: f.event?.id, deliveryCount, err: errorMessage(err) }, 'dead-lettered');
  return false;
}
