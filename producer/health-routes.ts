import type { FastifyInstance } from 'fastify';
import type { TransportName } from '../lib/envelope.ts';
import type { Publisher } from '../lib/transports/types.ts';
import type { ProducerMetrics } from './metrics.ts';
import { LivezSchema, ReadyzSchema } from './schemas.ts';

/**
 * `GET /livez` (the process answers), `GET /readyz` (503 while any broker is unreachable,
 * with the state of each) and `GET /metrics` (Prometheus text).
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  publishers: Partial<Record<TransportName, Publisher>>,
  metrics: ProducerMetrics,
): void {
  app.get(
    '/livez',
    { schema: { summary: 'The process answers', response: { 200: LivezSchema } } },
    (_request, reply) => reply.send({ status: 'ok' }),
  );

  const readyz = {
    summary: 'Every broker link is up',
    response: {
      200: { ...ReadyzSchema, description: 'Every broker is reachable.' },
      503: { ...ReadyzSchema, description: 'A broker is unreachable; publishing to it fails.' },
    },
  };
  app.get('/readyz', { schema: readyz }, async (_request, reply) => {
    const brokers = Object.fromEntries(
      Object.values(publishers).map((p) => [p.transport, p.isReady() ? 'ready' : 'unreachable']),
    );
    const ready = Object.values(brokers).every((state) => state === 'ready');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', brokers });
  });

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text exposition format)' } },
    async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
