import AjvCompiler from '@fastify/ajv-compiler';
import { EVENT_ID_PATTERN, newEventId, type EventEnvelope } from '../lib/envelope.ts';
import { ValidationError } from '../lib/errors.ts';
import { schemaErrorToAppError, type SchemaError } from './schema-errors.ts';
import {
  ERROR_MESSAGE,
  eventsBodySchema,
  sharedSchemas,
  type EventBody,
  type EventsBody,
} from './schemas.ts';

export interface ValidationLimits {
  /** Most events in one request. */
  maxBatch: number;
  /** Deepest nesting of objects and arrays in a payload (the payload itself is level 1). */
  maxPayloadDepth: number;
}

/**
 * fastify's Ajv, set up for the producer (`ajv.customOptions`). fastify's defaults would
 * drop unknown properties silently and turn `5` into `"5"`: both must be refused instead.
 */
export const AJV_OPTIONS: AjvCompiler.Options = {
  removeAdditional: false,
  coerceTypes: false,
  useDefaults: false,
  // Lengths in UTF-16 units (String.length), the producer's bound before the schemas; the
  // patterns hold them, as maxLength counts code points.
  unicodeRegExp: false,
  // Each error brings its data and schema: the messages name the rule and the bad value.
  verbose: true,
  keywords: [ERROR_MESSAGE],
};

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

function checkHeaderId(idempotencyKey: string | string[] | undefined): string | undefined {
  const path = '/headers/idempotency-key';
  if (Array.isArray(idempotencyKey))
    throw new ValidationError('Idempotency-Key header must appear once', path);
  if (idempotencyKey !== undefined && !EVENT_ID_PATTERN.test(idempotencyKey))
    throw new ValidationError('must be 1 to 128 characters of A-Z a-z 0-9 . _ : -', path);
  return idempotencyKey;
}

function toEnvelope(
  event: EventBody,
  path: string,
  limits: ValidationLimits,
  producedAt: string,
  headerId: string | undefined,
): EventEnvelope {
  const { id, type, key, payload } = event;
  if (exceedsDepth(payload, limits.maxPayloadDepth)) {
    throw new ValidationError(
      `is nested deeper than ${limits.maxPayloadDepth} levels`,
      `${path}/payload`,
    );
  }
  if (id !== undefined && headerId !== undefined && id !== headerId)
    throw new ValidationError('differs from the Idempotency-Key header', `${path}/id`);
  const eventId = id ?? headerId ?? newEventId();
  return { id: eventId, type, ...(key === undefined ? {} : { key }), payload, producedAt };
}

/**
 * The checks a schema cannot express, on a body the schema accepted: payload depth, ids
 * unique within a batch, and the Idempotency-Key header (once, a valid id, the single
 * event's id, never with a batch). Throws ValidationError with the JSON pointer of the field.
 */
export function checkEventsRequest(
  body: EventsBody,
  idempotencyKey: string | string[] | undefined,
  limits: ValidationLimits,
  now: Date = new Date(),
): EventEnvelope[] {
  const headerId = checkHeaderId(idempotencyKey);
  const producedAt = now.toISOString();
  if (!('events' in body)) return [toEnvelope(body, '', limits, producedAt, headerId)];
  if (headerId !== undefined) {
    throw new ValidationError(
      'Idempotency-Key is for single events; give each batch event an id',
      '/headers/idempotency-key',
    );
  }
  const seen = new Map<string, number>();
  return body.events.map((item, i) => {
    const event = toEnvelope(item, `/events/${i}`, limits, producedAt, undefined);
    const first = seen.get(event.id);
    if (first !== undefined)
      throw new ValidationError(`repeats the id of /events/${first}`, `/events/${i}/id`);
    seen.set(event.id, i);
    return event;
  });
}

const fastifyAjv = AjvCompiler();
const bodyValidators = new Map<number, (body: unknown) => boolean>();

/** The body validator fastify builds for the route, for callers outside a request. */
function bodyValidator(maxBatch: number) {
  let validate = bodyValidators.get(maxBatch);
  if (validate === undefined) {
    const compile = fastifyAjv(sharedSchemas(maxBatch), { customOptions: AJV_OPTIONS });
    const compiled = compile({ schema: eventsBodySchema(maxBatch), httpPart: 'body' });
    validate = (body: unknown) => {
      if (compiled(body) === true) return true;
      throw schemaErrorToAppError((compiled.errors ?? []) as SchemaError[], 'body');
    };
    bodyValidators.set(maxBatch, validate);
  }
  return validate;
}

/**
 * Turns a request body into envelopes, or throws before anything is published:
 * ValidationError (400, with the JSON-pointer path of the bad field) or TooLargeError (413).
 * Accepts one event `{id?, type, key?, payload}` or a batch `{events: [...]}`; the
 * Idempotency-Key header is the id of a single event. The route does the same in two steps
 * (fastify validates the schema, then `checkEventsRequest`); this is both in one.
 */
export function parseEventsRequest(
  body: unknown,
  idempotencyKey: string | string[] | undefined,
  limits: ValidationLimits,
  now: Date = new Date(),
): EventEnvelope[] {
  checkHeaderId(idempotencyKey);
  bodyValidator(limits.maxBatch)(body);
  return checkEventsRequest(body as EventsBody, idempotencyKey, limits, now);
}
