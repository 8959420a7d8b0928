import { EVENT_ID_PATTERN, newEventId, type EventEnvelope } from '../lib/envelope.ts';
import { ValidationError } from '../lib/errors.ts';
import { TooLargeError } from './http-errors.ts';

export interface ValidationLimits {
  /** Most events in one request. */
  maxBatch: number;
  /** Deepest nesting of objects and arrays in a payload (the payload itself is level 1). */
  maxPayloadDepth: number;
}

const EVENT_FIELDS = new Set(['id', 'type', 'key', 'payload']);
const MAX_TYPE_LENGTH = 256;
const MAX_KEY_LENGTH = 1024;
// Control characters would corrupt log lines and Kafka header values.
const hasControlChars = (s: string) =>
  [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Depth of nested objects/arrays, walked without recursion so no input can overflow the stack. */
function exceedsDepth(root: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

function checkId(id: unknown, path: string): string {
  if (typeof id !== 'string') throw new ValidationError('must be a string', path);
  if (!EVENT_ID_PATTERN.test(id)) {
    throw new ValidationError('must be 1 to 128 characters of A-Z a-z 0-9 . _ : -', path);
  }
  return id;
}

function parseEvent(
  raw: unknown,
  path: string,
  limits: ValidationLimits,
  producedAt: string,
  fallbackId: string | undefined,
): EventEnvelope {
  if (!isPlainObject(raw)) throw new ValidationError('must be an object', path);
  for (const field of Object.keys(raw)) {
    if (!EVENT_FIELDS.has(field))
      throw new ValidationError('is not a known field', `${path}/${field}`);
  }
  const { id, type, key, payload } = raw;
  if (type === undefined) throw new ValidationError('is required', `${path}/type`);
  if (typeof type !== 'string') throw new ValidationError('must be a string', `${path}/type`);
  if (type.length === 0 || type.length > MAX_TYPE_LENGTH || hasControlChars(type)) {
    throw new ValidationError(
      `must be 1 to ${MAX_TYPE_LENGTH} characters without control characters`,
      `${path}/type`,
    );
  }
  if (key !== undefined) {
    if (typeof key !== 'string') throw new ValidationError('must be a string', `${path}/key`);
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new ValidationError(`must be 1 to ${MAX_KEY_LENGTH} characters`, `${path}/key`);
    }
  }
  if (payload === undefined) throw new ValidationError('is required', `${path}/payload`);
  if (!isPlainObject(payload))
    throw new ValidationError('must be a JSON object', `${path}/payload`);
  if (exceedsDepth(payload, limits.maxPayloadDepth)) {
    throw new ValidationError(
      `is nested deeper than ${limits.maxPayloadDepth} levels`,
      `${path}/payload`,
    );
  }
  let eventId: string;
  if (id !== undefined) {
    eventId = checkId(id, `${path}/id`);
    if (fallbackId !== undefined && fallbackId !== eventId) {
      throw new ValidationError('differs from the Idempotency-Key header', `${path}/id`);
    }
  } else eventId = fallbackId ?? newEventId();
  return { id: eventId, type, ...(key === undefined ? {} : { key }), payload, producedAt };
}

/**
 * Turns a request body into envelopes, or throws before anything is published:
 * ValidationError (400, with the JSON-pointer path of the bad field) or TooLargeError (413).
 * Accepts one event `{id?, type, key?, payload}` or a batch `{events: [...]}`; the
 * Idempotency-Key header is the id of a single event.
 */
export function parseEventsRequest(
  body: unknown,
  idempotencyKey: string | string[] | undefined,
  limits: ValidationLimits,
  now: Date = new Date(),
): EventEnvelope[] {
  if (Array.isArray(idempotencyKey)) {
    throw new ValidationError(
      'Idempotency-Key header must appear once',
      '/headers/idempotency-key',
    );
  }
  const headerId =
    idempotencyKey === undefined ? undefined : checkId(idempotencyKey, '/headers/idempotency-key');
  if (!isPlainObject(body)) throw new ValidationError('body must be a JSON object', '');
  const producedAt = now.toISOString();

  if (!('events' in body)) return [parseEvent(body, '', limits, producedAt, headerId)];

  for (const field of Object.keys(body)) {
    if (field !== 'events') throw new ValidationError('is not allowed next to events', `/${field}`);
  }
  if (headerId !== undefined) {
    throw new ValidationError(
      'Idempotency-Key is for single events; give each batch event an id',
      '/headers/idempotency-key',
    );
  }
  const raw = body.events;
  if (!Array.isArray(raw)) throw new ValidationError('must be an array', '/events');
  if (raw.length === 0) throw new ValidationError('must hold at least one event', '/events');
  if (raw.length > limits.maxBatch) {
    throw new TooLargeError(`a batch holds at most ${limits.maxBatch} events, got ${raw.length}`);
  }
  const seen = new Map<string, number>();
  return raw.map((item: unknown, i) => {
    const event = parseEvent(item, `/events/${i}`, limits, producedAt, undefined);
    const first = seen.get(event.id);
    if (first !== undefined) {
      throw new ValidationError(`repeats the id of /events/${first}`, `/events/${i}/id`);
    }
    seen.set(event.id, i);
    return event;
  });
}
