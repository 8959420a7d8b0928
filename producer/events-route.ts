import type { FastifyInstance } from 'fastify';
import type { Config } from '../lib/config.ts';
import type { EventEnvelope, TransportName } from '../lib/envelope.ts';
import { AppError, IndeterminateError, NotSentError } from '../lib/errors.ts';
import { failpoint } from '../lib/failpoints.ts';
import type { MessagingTarget } from '../lib/tracing/messaging-target.ts';
import type { Tracing } from '../lib/tracing/tracing.ts';
import { driverFor } from '../lib/transports/registry.ts';
import type { Publisher } from '../lib/transports/types.ts';
import type { RequestTraceContext } from './tracing-hooks.ts';
import { NotFoundError } from './http-errors.ts';
import type { ProducerMetrics } from './metrics.ts';
import {
  acceptedSchema,
  errorAnswer,
  eventsBodySchema,
  IdempotencyHeadersSchema,
  transportParamsSchema,
  type EventsBody,
} from './schemas.ts';
import { checkEventsRequest } from './validation.ts';

export interface EventsRouteOptions {
  config: Config;
  publishers: Partial<Record<TransportName, Publisher>>;
  metrics: ProducerMetrics;
  /** Every transport the API names (the registry's drivers), served or not. */
  transports: readonly TransportName[];
  tracing: Tracing;
  traceContext: RequestTraceContext;
}

/** What one publish is traced with: the request's span as parent, the driver's target. */
interface PublishTrace {
  tracing: Tracing;
  parent: ReturnType<RequestTraceContext>;
  target: MessagingTarget;
}

/** The route's schema: fastify validates with it and GET /openapi.json shows it. */
function eventsRouteSchema(maxBatch: number, transports: readonly TransportName[]) {
  return {
    summary: 'Publish one event or a batch',
    description:
      'Answers 202 only once the broker holds every event durably; nothing of a refused ' +
      'request is published.',
    params: transportParamsSchema(transports),
    headers: IdempotencyHeadersSchema,
    body: eventsBodySchema(maxBatch),
    response: {
      202: acceptedSchema(transports),
      400: errorAnswer('A bad request; the message names the bad field (JSON pointer).'),
      404: errorAnswer('No such transport.'),
      413: errorAnswer('Body over PRODUCER_BODY_LIMIT_BYTES, or batch over PRODUCER_MAX_BATCH.'),
      415: errorAnswer('Not UTF-8 JSON.'),
      503: errorAnswer('Broker not connected, nothing was sent: retry after Retry-After.'),
      504: errorAnswer('Sent, but no ack in PRODUCER_ACK_TIMEOUT_MS: retry with the same ids.'),
    },
  };
}

/** Publishes and records the outcome; rethrows what the error handler must answer. */
async function publishCounted(
  publisher: Publisher,
  events: readonly EventEnvelope[],
  metrics: ProducerMetrics,
  traced: PublishTrace,
): Promise<void> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  // Off, nothing is built for tracing and the messages are sent as they always were.
  const spans = traced.tracing.enabled
    ? traced.tracing.startPublish(
        traced.parent,
        traced.target,
        events.map((e) => e.id),
      )
    : undefined;
  try {
    await publisher.publish(events, spans?.fields);
    spans?.end();
  } catch (err) {
    spans?.end(err);
    // Refused before sending because of the request itself (an event above the broker's
    // message limit): a 4xx like a validation error, nothing published.
    if (err instanceof AppError && err.code === 'TOO_LARGE') throw err;
    const outcome =
      err instanceof NotSentError
        ? 'failed'
        : err instanceof IndeterminateError
          ? 'indeterminate'
          : undefined;
    // Anything unexpected after sending may have been written: count it as indeterminate.
    metrics.record(publisher.transport, outcome ?? 'indeterminate', events.length, seconds());
    if (outcome === undefined)
      throw new IndeterminateError('publish failed unexpectedly', { cause: err });
    throw err;
  }
  metrics.record(publisher.transport, 'accepted', events.length, seconds());
}

/**
 * `POST /v1/events/:transport`: validate the whole request (the schema, then
 * checkEventsRequest), publish, and answer `202 {transport, ids}` only after the broker's
 * durable ack. Other methods get 405.
 */
export function registerEventsRoute(app: FastifyInstance, options: EventsRouteOptions): void {
  const { config, publishers, metrics, transports, tracing } = options;
  const targets = new Map(transports.map((t) => [t, driverFor(t).messaging(config)]));
  const limits = {
    maxBatch: config.producer.maxBatch,
    maxPayloadDepth: config.producer.maxPayloadDepth,
  };
  // Counted per transport, so that every transport loses some requests whatever the interleaving.
  const requests = new Map<TransportName, number>();

  app.post<{ Params: { transport: TransportName }; Body: EventsBody }>(
    '/v1/events/:transport',
    { schema: eventsRouteSchema(limits.maxBatch, transports) },
    async (request, reply) => {
      const publisher = publishers[request.params.transport];
      if (publisher === undefined)
        throw new NotFoundError(`transport "${request.params.transport}" is not served here`);
      const events = checkEventsRequest(request.body, request.headers['idempotency-key'], limits);
      const accepted = { transport: publisher.transport, ids: events.map((e) => e.id) };
      // FAILPOINT early-202: 202 before the broker ack, and every 10th request never published.
      if (failpoint('early-202')) {
        const n = (requests.get(publisher.transport) ?? 0) + 1;
        requests.set(publisher.transport, n);
        if (n % 10 !== 0) void publisher.publish(events).catch(() => undefined);
        return reply.code(202).send(accepted);
      }
      await publishCounted(publisher, events, metrics, {
        tracing,
        parent: options.traceContext(request),
        target: targets.get(publisher.transport)!,
      });
      return reply.code(202).send(accepted);
    },
  );

  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url: '/v1/events/:transport',
    schema: { hide: true },
    handler: async (_request, reply) =>
      reply
        .code(405)
        .header('allow', 'POST')
        .send({ error: 'method_not_allowed', message: 'use POST' }),
  });
}
