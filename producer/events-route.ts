import type { FastifyInstance } from 'fastify';
import type { Config } from '../lib/config.ts';
import { isTransportName, type TransportName } from '../lib/envelope.ts';
import { AppError, IndeterminateError, NotSentError } from '../lib/errors.ts';
import { failpoint } from '../lib/failpoints.ts';
import type { Publisher } from '../lib/transports/types.ts';
import { NotFoundError } from './http-errors.ts';
import type { ProducerMetrics } from './metrics.ts';
import { parseEventsRequest } from './validation.ts';

export interface EventsRouteOptions {
  config: Config;
  publishers: Partial<Record<TransportName, Publisher>>;
  metrics: ProducerMetrics;
}

/**
 * `POST /v1/events/:transport`: validate the whole request, publish, and answer
 * `202 {transport, ids}` only after the broker's durable ack. Other methods get 405.
 */
export function registerEventsRoute(app: FastifyInstance, options: EventsRouteOptions): void {
  const { config, publishers, metrics } = options;
  const limits = {
    maxBatch: config.producer.maxBatch,
    maxPayloadDepth: config.producer.maxPayloadDepth,
  };
  // Counted per transport, so that every transport loses some requests whatever the interleaving.
  const requests = new Map<TransportName, number>();

  app.post<{ Params: { transport: string } }>('/v1/events/:transport', async (request, reply) => {
    const name = request.params.transport;
    const publisher = isTransportName(name) ? publishers[name] : undefined;
    if (publisher === undefined)
      throw new NotFoundError(`unknown transport "${name}"; use kafka, redis or bullmq`);
    const events = parseEventsRequest(request.body, request.headers['idempotency-key'], limits);
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    // FAILPOINT early-202: 202 before the broker ack, and every 10th request never published.
    if (failpoint('early-202')) {
      const n = (requests.get(publisher.transport) ?? 0) + 1;
      requests.set(publisher.transport, n);
      if (n % 10 !== 0) void publisher.publish(events).catch(() => undefined);
      return reply.code(202).send({ transport: publisher.transport, ids: events.map((e) => e.id) });
    }
    try {
      await publisher.publish(events);
    } catch (err) {
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
    return reply.code(202).send({ transport: publisher.transport, ids: events.map((e) => e.id) });
  });

  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url: '/v1/events/:transport',
    handler: async (_request, reply) =>
      reply
        .code(405)
        .header('allow', 'POST')
        .send({ error: 'method_not_allowed', message: 'use POST' }),
  });
}
