import type { ChainableCommander } from 'ioredis';
import { encodeEnvelope, type EventEnvelope } from '../../envelope.ts';

/**
 * Queues the XADD of one event on `pipeline`: the stream entry's wire format, in one place.
 * Fields: `id` and `type` (readable with XRANGE as they are) and `envelope` (the JSON the
 * consumers decode). Never with MAXLEN: entries leave only once acknowledged.
 */
export function addStreamEntry(
  pipeline: ChainableCommander,
  stream: string,
  event: EventEnvelope,
): void {
  pipeline.xadd(stream, '*', 'id', event.id, 'type', event.type, 'envelope', encodeEnvelope(event));
}
