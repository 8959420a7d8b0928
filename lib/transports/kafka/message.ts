import type { IHeaders } from 'kafkajs';
import { encodeEnvelope, type EventEnvelope } from '../../envelope.ts';
import { readTraceFields, type TraceFields } from '../../tracing/trace-fields.ts';

/**
 * The Kafka record of one event, in one place: key = event key or id (one key, one
 * partition), value = the encoded envelope, headers `id` and `type` (readable without
 * decoding the value), and with tracing on the W3C trace fields (`traceparent`) as headers,
 * as the OpenTelemetry messaging conventions put them for Kafka.
 */
export function toKafkaMessage(
  event: EventEnvelope,
  trace?: TraceFields,
): {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
} {
  return {
    key: event.key ?? event.id,
    // A Buffer once, so sizing it for the message limit does not encode it again.
    value: Buffer.from(encodeEnvelope(event)),
    headers:
      trace === undefined
        ? { id: event.id, type: event.type }
        : { id: event.id, type: event.type, ...trace },
  };
}

/** The trace fields a record's headers carry, if any. */
export function kafkaTraceFields(headers: IHeaders | undefined): TraceFields | undefined {
  if (headers === undefined) return undefined;
  return readTraceFields((name) => {
    const value = headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  });
}
