import type { KafkaMessage } from 'kafkajs';
import type { PlatformaticMessage } from './batches.ts';

/**
 * A received record in the shape the client-agnostic parts (message-handler.ts,
 * receipts.ts, key-ordered.ts through the consumer) read: key, value, offset as text,
 * headers by name.
 */
export function asKafkaMessage(m: PlatformaticMessage): KafkaMessage {
  const headers: Record<string, Buffer> = {};
  for (const [k, v] of m.headers) headers[k.toString()] = v;
  return {
    key: m.key ?? null,
    value: m.value ?? null,
    timestamp: String(m.timestamp),
    attributes: 0,
    offset: String(m.offset),
    headers,
  };
}
