import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { EVENT_ID_PATTERN, type TransportName } from '../lib/envelope.ts';

/**
 * The producer's request and response bodies as JSON Schema (TypeBox): fastify validates
 * requests with them and GET /openapi.json publishes them. What a schema cannot say (payload
 * depth, ids unique in a batch, Idempotency-Key against the body) is checked in validation.ts.
 *
 * `x-error` is the answer's message when a constraint of that schema fails (pattern, length,
 * item count, unknown property): the schema's own words, not Ajv's.
 */
export const ERROR_MESSAGE = 'x-error';

export const MAX_TYPE_LENGTH = 256;
export const MAX_KEY_LENGTH = 1024;

const eventId = (description: string) =>
  Type.String({
    pattern: EVENT_ID_PATTERN.source,
    description,
    examples: ['order-1'],
    [ERROR_MESSAGE]: 'must be 1 to 128 characters of A-Z a-z 0-9 . _ : -',
  });

export const EventSchema = Type.Object(
  {
    id: Type.Optional(
      eventId(
        'Chosen by the client; the same id twice is one event. Default: the Idempotency-Key ' +
          'header, else a new time-ordered id.',
      ),
    ),
    type: Type.String({
      minLength: 1,
      maxLength: MAX_TYPE_LENGTH,
      // Control characters would corrupt log lines and Kafka header values. The pattern also
      // bounds the length in UTF-16 units (see AJV_OPTIONS); maxLength counts code points.
      pattern: `^[^\\u0000-\\u001f\\u007f]{1,${MAX_TYPE_LENGTH}}$`,
      description: 'What happened, e.g. order.created.',
      examples: ['order.created'],
      [ERROR_MESSAGE]: `must be 1 to ${MAX_TYPE_LENGTH} characters without control characters`,
    }),
    key: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_KEY_LENGTH,
        pattern: `^[\\s\\S]{1,${MAX_KEY_LENGTH}}$`,
        description: 'Partition key: events with one key keep their order where the transport can.',
        examples: ['customer-7'],
        [ERROR_MESSAGE]: `must be 1 to ${MAX_KEY_LENGTH} characters`,
      }),
    ),
    payload: Type.Unsafe<Record<string, unknown>>({
      type: 'object',
      description: 'Any JSON object, nested at most PRODUCER_MAX_PAYLOAD_DEPTH levels (32).',
      examples: [{ total: 42 }],
    }),
  },
  { $id: 'Event', additionalProperties: false, [ERROR_MESSAGE]: 'is not a known field' },
);

/** A batch; its limit is the configuration's, so each app adds its own (`addSchema`). */
export function batchSchema(maxBatch: number) {
  return Type.Object(
    {
      events: Type.Array(Type.Ref(EventSchema), {
        minItems: 1,
        maxItems: maxBatch,
        description: `1 to ${maxBatch} events (PRODUCER_MAX_BATCH), published all or none.`,
        [ERROR_MESSAGE]: 'must hold at least one event',
      }),
    },
    {
      $id: 'Batch',
      additionalProperties: false,
      [ERROR_MESSAGE]: 'is not allowed next to events',
    },
  );
}

/** The schemas the others refer to by `$id`, for fastify's `addSchema` and Ajv. */
export function sharedSchemas(maxBatch: number): Record<string, TSchema> {
  return { Event: EventSchema, Batch: batchSchema(maxBatch), Error: ErrorSchema };
}

/** One event, or a batch `{events}`; the batch is the second branch (see `bodyBranch`). */
export function eventsBodySchema(maxBatch: number) {
  return Type.Union([Type.Ref(EventSchema), Type.Ref(batchSchema(maxBatch))], {
    description: 'One event, or a batch {events: [...]}.',
  });
}

export type EventBody = Static<typeof EventSchema>;
export type EventsBody = EventBody | { events: EventBody[] };

/** The branch of `eventsBodySchema` a body is read as: a batch exactly when it has `events`. */
export function bodyBranch(body: unknown): 0 | 1 {
  return typeof body === 'object' && body !== null && 'events' in body ? 1 : 0;
}

export const IdempotencyHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(
    eventId('The id of a single event (not allowed with a batch); a body id must equal it.'),
  ),
});

export function transportParamsSchema(transports: readonly TransportName[]) {
  return Type.Object({
    transport: Type.Unsafe<TransportName>({
      type: 'string',
      enum: [...transports],
      description: 'The broker the events go to.',
    }),
  });
}

export function acceptedSchema(transports: readonly TransportName[]) {
  return Type.Object(
    {
      transport: Type.Unsafe<TransportName>({ type: 'string', enum: [...transports] }),
      ids: Type.Array(Type.String(), { description: 'The ids of the events, in request order.' }),
    },
    { description: 'Durably held by the broker: each event will be processed once in effect.' },
  );
}

export const ErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'A short code, e.g. invalid_request.' }),
    message: Type.String({ description: 'What is wrong, with the path of the bad field.' }),
  },
  { $id: 'Error' },
);

export const LivezSchema = Type.Object(
  { status: Type.Literal('ok') },
  { description: 'The process answers.' },
);

export const ReadyzSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  brokers: Type.Record(
    Type.String(),
    Type.Union([Type.Literal('ready'), Type.Literal('unreachable')]),
  ),
});

/** An error answer with its meaning, for the OpenAPI document. */
export const errorAnswer = (description: string): TSchema => ({
  ...Type.Ref(ErrorSchema),
  description,
});
