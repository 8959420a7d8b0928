import { randomBytes } from 'node:crypto';
import { commaList } from './comma-list.ts';

/** The three transports, as they appear in URLs, CLI flags and the sink's keys. */
export const TRANSPORTS = ['kafka', 'redis', 'bullmq'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

export function isTransportName(value: string): value is TransportName {
  return (TRANSPORTS as readonly string[]).includes(value);
}

/**
 * Transport names from a comma list (`"kafka, redis"`), without repeats. `invalid` is the
 * first item that names no transport, or the whole text when it names none at all.
 */
export function parseTransportList(
  text: string,
): { transports: TransportName[] } | { invalid: string } {
  const items = commaList(text);
  const bad = items.find((t) => !isTransportName(t));
  if (bad !== undefined || items.length === 0) return { invalid: bad ?? text };
  return { transports: [...new Set(items as TransportName[])] };
}

/** What travels through every broker, encoded once as JSON. */
export interface EventEnvelope {
  id: string;
  type: string;
  key?: string;
  payload: unknown;
  /** ISO time the producer accepted the event; the checker measures latency from it. */
  producedAt: string;
}

/** Client ids: 1 to 128 characters of `[A-Za-z0-9._:-]`. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

let lastMs = 0;
let sequence = 0;

// Random bytes drawn 4 KiB at a time: one randomBytes call per id was a visible hot spot.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

/**
 * A time-ordered id: 10 base-32 characters of milliseconds, a per-process sequence and
 * random bits, so ids sort by creation time and never collide across processes.
 */
export function newEventId(now = Date.now()): string {
  sequence = now === lastMs ? sequence + 1 : 0;
  lastMs = now;
  const time = now.toString(32).padStart(10, '0');
  const seq = sequence.toString(32).padStart(4, '0');
  return `${time}${seq}${randomHex(6)}`;
}

export function encodeEnvelope(event: EventEnvelope): string {
  return JSON.stringify(event);
}

export function decodeEnvelope(raw: string | Buffer): EventEnvelope {
  return JSON.parse(raw.toString()) as EventEnvelope;
}
