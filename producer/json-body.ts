import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { BadEncodingError, UnsupportedMediaTypeError } from './http-errors.ts';

/** Labels of UTF-8 (WHATWG's list, lower case): any other charset is refused. */
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);

/** The `charset` parameter of a content type, lower case and unquoted; undefined if none. */
export function charsetOf(contentType: string | undefined): string | undefined {
  for (const param of (contentType ?? '').split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    return param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
  }
  return undefined;
}

/**
 * Why a body of this content type cannot be read as UTF-8 JSON, or undefined when it can.
 * Fastify's own parser decodes any bytes as UTF-8 whatever the charset says, and replaces
 * invalid bytes with U+FFFD: the event would be published with other text than was sent.
 */
export function jsonBodyProblem(
  contentType: string | undefined,
  body: Buffer,
): BadEncodingError | UnsupportedMediaTypeError | undefined {
  const charset = charsetOf(contentType);
  if (charset !== undefined && !UTF8_LABELS.has(charset)) {
    return new UnsupportedMediaTypeError(
      `charset=${charset} is not read here: send the body as UTF-8 JSON with ` +
        'content-type: application/json (or application/json; charset=utf-8)',
    );
  }
  if (!isUtf8(body)) {
    return new BadEncodingError('the body is not valid UTF-8: send JSON encoded as UTF-8');
  }
  return undefined;
}

/**
 * Replaces fastify's `application/json` parser with one that refuses what fastify would
 * mangle (see jsonBodyProblem), then parses as fastify does (prototype poisoning refused).
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const buffer = body as Buffer;
    const problem = jsonBodyProblem(request.headers['content-type'], buffer);
    if (problem !== undefined) return done(problem, undefined);
    void parseJson(request, buffer.toString('utf8'), done);
  });
}
