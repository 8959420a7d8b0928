import { AppError, IndeterminateError, NotSentError, ValidationError } from '../lib/errors.ts';

/**
 * The request (body or batch) is larger than allowed: HTTP 413. Any AppError with code
 * `TOO_LARGE` is answered so, e.g. a publisher's event above the broker's message limit.
 */
export class TooLargeError extends AppError {
  constructor(message: string) {
    super('TOO_LARGE', message);
  }
}

/** The body's bytes are not the text its content type promises (not UTF-8): HTTP 400. */
export class BadEncodingError extends AppError {
  constructor(message: string) {
    super('BAD_ENCODING', message);
  }
}

/** A media type or charset the producer does not read: HTTP 415. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super('UNSUPPORTED_MEDIA_TYPE', message);
  }
}

/** No such transport or route: HTTP 404. */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export interface HttpError {
  statusCode: number;
  body: { error: string; message: string };
  headers?: Record<string, string>;
}

const JSON_ONLY = 'send the body as JSON with content-type: application/json';

/**
 * Fastify's own error codes for bodies it refused before our handler ran; `message`
 * replaces fastify's where it would not tell the client what to do.
 */
const FASTIFY_CODES: Record<string, { statusCode: number; error: string; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { statusCode: 400, error: 'malformed_json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { statusCode: 400, error: 'empty_body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { statusCode: 413, error: 'body_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    statusCode: 415,
    error: 'unsupported_media_type',
    message: JSON_ONLY,
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { statusCode: 400, error: 'bad_content_length' },
  FST_ERR_CTP_INVALID_TYPE: {
    statusCode: 415,
    error: 'unsupported_media_type',
    message: JSON_ONLY,
  },
};

/**
 * The one place errors become HTTP answers. Only our own messages and fastify's body
 * errors are shown; anything else is a bare 500 so no internals leak out.
 */
export function toHttpError(err: unknown, retryAfterSeconds: number): HttpError {
  if (err instanceof ValidationError) {
    const where = err.path === '' ? '' : `${err.path}: `;
    return {
      statusCode: 400,
      body: { error: 'invalid_request', message: `${where}${err.message}` },
    };
  }
  if (err instanceof AppError && err.code === 'TOO_LARGE')
    return { statusCode: 413, body: { error: 'too_large', message: err.message } };
  if (err instanceof BadEncodingError)
    return { statusCode: 400, body: { error: 'invalid_encoding', message: err.message } };
  if (err instanceof UnsupportedMediaTypeError)
    return { statusCode: 415, body: { error: 'unsupported_media_type', message: err.message } };
  if (err instanceof NotFoundError)
    return { statusCode: 404, body: { error: 'not_found', message: err.message } };
  if (err instanceof NotSentError) {
    return {
      statusCode: 503,
      body: { error: 'not_sent', message: `${err.message}; nothing was published, retry later` },
      headers: { 'retry-after': String(retryAfterSeconds) },
    };
  }
  if (err instanceof IndeterminateError) {
    return {
      statusCode: 504,
      body: {
        error: 'indeterminate',
        message: `${err.message}; the events may or may not be published, retry with the same ids`,
      },
    };
  }
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const known = FASTIFY_CODES[code];
  if (known !== undefined) {
    const message = known.message ?? (err instanceof Error ? err.message : known.error);
    return { statusCode: known.statusCode, body: { error: known.error, message } };
  }
  // Any other fastify client error (4xx) keeps its status with a generic body.
  const status =
    typeof err === 'object' && err !== null && 'statusCode' in err ? Number(err.statusCode) : 500;
  if (status >= 400 && status < 500) {
    return {
      statusCode: status,
      body: { error: 'bad_request', message: err instanceof Error ? err.message : 'bad request' },
    };
  }
  return { statusCode: 500, body: { error: 'internal', message: 'internal error' } };
}
