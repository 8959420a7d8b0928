import { encodeEnvelope, type EventEnvelope } from '../../envelope.ts';

/**
 * The Kafka record of one event, in one place: key = event key or id (one key, one
 * partition), value = the encoded envelope, headers `id` and `type` (readable without
 * decoding the value).
 */
export function toKafkaMessage(event: EventEnvelope): {
  key: string;
  value: string;
  headers: { id: string; type: string };
} {
  return {
    key: event.key ?? event.id,
    value: encodeEnvelope(event),
    headers: { id: event.id, type: event.type },
  };
}
