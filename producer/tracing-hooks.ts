import type { Context } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerSpan, Tracing } from '../lib/tracing/tracing.ts';

/** The context a request's work runs in (its SERVER span), undefined when not traced. */
export type RequestTraceContext = (request: FastifyRequest) => Context | undefined;

const untraced: RequestTraceContext = () => undefined;

/**
 * One SERVER span per request, named by method and route, from the first hook to the
 * answer. With tracing off no hook is added at all, so requests pay nothing.
 */
export function registerTracingHooks(app: FastifyInstance, tracing: Tracing): RequestTraceContext {
  if (!tracing.enabled) return untraced;
  const spans = new WeakMap<FastifyRequest, ServerSpan>();
  app.addHook('onRequest', (request, _reply, done) => {
    const span = tracing.startServerSpan({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      path: request.url.split('?')[0] ?? request.url,
      header: (name) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      },
    });
    if (span) spans.set(request, span);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    spans.get(request)?.end(reply.statusCode);
    spans.delete(request);
    done();
  });
  return (request) => spans.get(request)?.context;
}
