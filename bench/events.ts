import { randomBytes } from 'node:crypto';
import type { EventEnvelope } from '../lib/envelope.ts';

export const BENCH_EVENT_TYPE = 'bench.event';

/** A payload whose JSON is exactly `bytes` long: `{"pad":"xxx..."}`. */
export function benchPayload(bytes: number): { pad: string } {
  const overhead = JSON.stringify({ pad: '' }).length;
  return { pad: 'x'.repeat(Math.max(0, bytes - overhead)) };
}

/** A short random tag so ids of separate runs never meet in one sink or broker. */
export function runTag(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Ids `<tag>-<i>`: valid event ids, never integer-like, so BullMQ job id = event id. */
export function eventIds(tag: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${tag}-${from + i}`);
}

/** Envelopes as the producer would write them (same fields, same sizes). */
export function envelopes(ids: readonly string[], payload: unknown): EventEnvelope[] {
  const producedAt = new Date().toISOString();
  return ids.map((id) => ({ id, type: BENCH_EVENT_TYPE, payload, producedAt }));
}
