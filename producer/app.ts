import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../lib/config.ts';
import type { TransportName } from '../lib/envelope.ts';
import type { Logger } from '../lib/log.ts';
import { drivers } from '../lib/transports/registry.ts';
import type { Publisher } from '../lib/transports/types.ts';
import { registerEventsRoute } from './events-route.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { toHttpError } from './http-errors.ts';
import { registerJsonBodyParser } from './json-body.ts';
import { createProducerMetrics, type ProducerMetrics } from './metrics.ts';
import { registerOpenApi } from './openapi.ts';
import { schemaErrorToAppError, type SchemaError } from './schema-errors.ts';
import { sharedSchemas } from './schemas.ts';
import { registerTracingHooks } from './tracing-hooks.ts';
import { AJV_OPTIONS } from './validation.ts';
import { NO_TRACING, type Tracing } from '../lib/tracing/tracing.ts';

export interface ProducerAppOptions {
  config: Config;
  publishers: Partial<Record<TransportName, Publisher>>;
  logger?: Logger;
  metrics?: ProducerMetrics;
  /** Spans for requests and publishes; off (NO_TRACING) by default. */
  tracing?: Tracing;
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
    // Requests are validated by their routes' JSON Schemas (schemas.ts), strictly.
    ajv: { customOptions: AJV_OPTIONS },
    schemaErrorFormatter: (errors, dataVar) =>
      schemaErrorToAppError(errors as SchemaError[], dataVar),
  });

  const tracing = options.tracing ?? NO_TRACING;
  const traceContext = registerTracingHooks(app, tracing);

  // Every answer counted, 4xx and 404s included; unmatched URLs share one label value.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
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

  for (const schema of Object.values(sharedSchemas(config.producer.maxBatch)))
    app.addSchema(schema);
  registerOpenApi(app);
  const transports = drivers.map((d) => d.name);
  // In a plugin, so that they are added once @fastify/swagger listens for routes.
  void app.register((api, _options, done) => {
    registerEventsRoute(api, { config, publishers, metrics, transports, tracing, traceContext });
    registerHealthRoutes(api, publishers, metrics);
    done();
  });
  return app;
}
