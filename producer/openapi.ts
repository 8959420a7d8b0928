import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

/**
 * Collects the routes' schemas into an OpenAPI 3.1 document served at `GET /openapi.json`.
 * Register before the routes: @fastify/swagger learns them as they are added.
 */
export function registerOpenApi(app: FastifyInstance): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Event pipeline producer',
        version,
        description:
          'Publishes events to Kafka, Redis Streams or BullMQ and answers 202 only once the ' +
          'broker holds them durably. Errors are JSON {error, message}; the message names the ' +
          'bad field by its JSON pointer.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
    },
    // Shared schemas keep their $id as their name under components/schemas.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, (_request, reply) =>
    reply.send(app.swagger()),
  );
}
