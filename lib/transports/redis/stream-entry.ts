import type { ChainableCommander } from 'ioredis';
import { encodeEnvelope, type EventEnvelope } from '../../envelope.ts';
import type { TraceFields } from '../../tracing/trace-fields.ts';

/**
 * Queues the XADD of one event on `pipeline`: the stream entry's wire format, in one place.
 * Fields: `id` and `type` (readable with XRANGE as they are), `envelope` (the JSON the
 * consumers decode) and, with tracing on, the trace fields (`traceparent`) after it. Never
 * with MAXLEN: entries leave only once acknowledged.
 */
export function addStreamEntry(
  pipeline: ChainableCommander,
  stream: string,
  event: EventEnvelope,
  trace?: TraceFields,
): void {
  const fields = ['id', event.id, 'type', event.type, 'envelope', encodeEnvelope(event)];
  if (trace !== undefined) fields.push(...Object.entries(trace).flat());
  pipeline.xadd(stream, '*', ...fields);
}
