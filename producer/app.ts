import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../lib/config.ts';
import type { TransportName } from '../lib/envelope.ts';
import type { Logger } from '../lib/log.ts';
import type { Publisher } from '../lib/transports/types.ts';
import { registerEventsRoute } from './events-route.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { toHttpError } from './http-errors.ts';
import { registerJsonBodyParser } from './json-body.ts';
import { createProducerMetrics, type ProducerMetrics } from './metrics.ts';

export interface ProducerAppOptions {
  config: Config;
  publishers: Partial<Record<TransportName, Publisher>>;
  logger?: Logger;
  metrics?: ProducerMetrics;
}

/**
 * The producer's HTTP app, not yet listening (tests call `listen({port: 0})`). Closing it
 * stops new requests and waits for in-flight ones to be answered; the publishers are the
 * caller's to close afterwards.
 */
export function buildProducerApp(options: ProducerAppOptions): FastifyInstance {
  const { config, publishers } = options;
  const metrics = options.metrics ?? createProducerMetrics();
  const app = Fastify({
    bodyLimit: config.producer.bodyLimitBytes,
    // pino 10's Logger is what fastify wants at runtime; only the type versions differ.
    loggerInstance: options.logger as FastifyBaseLogger | undefined,
    // One log line per request is too much at thousands of events a second.
    logController: new LogController({ disableRequestLogging: true }),
  });

  // Only JSON is accepted: anything else (fastify also parses text/plain) is a 415.
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app);

  const retryAfter = config.producer.retryAfterSeconds;
  app.setErrorHandler((err, request, reply) => {
    const http = toHttpError(err, retryAfter);
    if (http.statusCode >= 500)
      request.log.warn({ err, status: http.statusCode }, 'request failed');
    return reply
      .code(http.statusCode)
      .headers(http.headers ?? {})
      .send(http.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }),
  );

  registerEventsRoute(app, { config, publishers, metrics });
  registerHealthRoutes(app, publishers, metrics);
  return app;
}
