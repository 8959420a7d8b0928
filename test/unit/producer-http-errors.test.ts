import { expect } from 'chai';
import { IndeterminateError, NotSentError, ValidationError } from '../../lib/errors.ts';
import { MessageTooLargeError } from '../../lib/transports/kafka-message-limit.ts';
import { NotFoundError, TooLargeError, toHttpError } from '../../producer/http-errors.ts';

describe('producer http errors', () => {
  it('maps each error class to its status and a short code', () => {
    const cases: [unknown, number, string][] = [
      [new ValidationError('is required', '/type'), 400, 'invalid_request'],
      [new TooLargeError('too many'), 413, 'too_large'],
      [new MessageTooLargeError('above the broker limit', 1048588), 413, 'too_large'],
      [new NotFoundError('nope'), 404, 'not_found'],
      [new NotSentError('down'), 503, 'not_sent'],
      [new IndeterminateError('late'), 504, 'indeterminate'],
      [
        Object.assign(new Error('Body is not valid JSON'), {
          code: 'FST_ERR_CTP_INVALID_JSON_BODY',
          statusCode: 400,
        }),
        400,
        'malformed_json',
      ],
      [
        Object.assign(new Error('too big'), {
          code: 'FST_ERR_CTP_BODY_TOO_LARGE',
          statusCode: 413,
        }),
        413,
        'body_too_large',
      ],
      [
        Object.assign(new Error('bad type'), {
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
          statusCode: 415,
        }),
        415,
        'unsupported_media_type',
      ],
      [new Error('secret internals'), 500, 'internal'],
    ];
    for (const [err, status, code] of cases) {
      const http = toHttpError(err, 2);
      expect(http.statusCode, code).to.equal(status);
      expect(http.body.error).to.equal(code);
    }
  });

  it('puts the field path in the message and Retry-After on 503', () => {
    expect(
      toHttpError(new ValidationError('is required', '/events/2/type'), 1).body.message,
    ).to.equal('/events/2/type: is required');
    expect(toHttpError(new NotSentError('down'), 3).headers).to.deep.equal({ 'retry-after': '3' });
  });

  it('never shows the message of an unexpected error', () => {
    expect(toHttpError(new Error('password=hunter2'), 1).body.message).to.equal('internal error');
  });

  it('shows the message of a broker-limit 413, naming the limit', () => {
    const http = toHttpError(new MessageTooLargeError('at most 1048588 bytes', 1048588), 1);
    expect(http.body.message).to.equal('at most 1048588 bytes');
    expect(http.headers).to.equal(undefined); // no Retry-After: it will never fit
  });
});
