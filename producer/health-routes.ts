import type { FastifyInstance } from 'fastify';
import type { TransportName } from '../lib/envelope.ts';
import type { Publisher } from '../lib/transports/types.ts';
import type { ProducerMetrics } from './metrics.ts';

/**
 * `GET /livez` (the process answers), `GET /readyz` (503 while any broker is unreachable,
 * with the state of each) and `GET /metrics` (Prometheus text).
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  publishers: Partial<Record<TransportName, Publisher>>,
  metrics: ProducerMetrics,
): void {
  app.get('/livez', (_request, reply) => reply.send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const brokers = Object.fromEntries(
      Object.values(publishers).map((p) => [p.transport, p.isReady() ? 'ready' : 'unreachable']),
    );
    const ready = Object.values(brokers).every((state) => state === 'ready');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', brokers });
  });

  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
