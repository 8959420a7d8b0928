import { encodeEnvelope, type EventEnvelope } from '../../envelope.ts';

/**
 * The Kafka record of one event, in one place: key = event key or id (one key, one
 * partition), value = the encoded envelope, headers `id` and `type` (readable without
 * decoding the value).
 */
export function toKafkaMessage(event: EventEnvelope): {
  key: string;
  value: Buffer;
  headers: { id: string; type: string };
} {
  return {
    key: event.key ?? event.id,
    // A Buffer once, so sizing it for the message limit does not encode it again.
    value: Buffer.from(encodeEnvelope(event)),
    headers: { id: event.id, type: event.type },
  };
}
