import { expect } from 'chai';
import { IndeterminateError, NotSentError, ValidationError } from '../../lib/errors.ts';
import { MessageTooLargeError } from '../../lib/transports/kafka/message-limit.ts';
import {
  BadEncodingError,
  NotFoundError,
  TooLargeError,
  toHttpError,
  UnsupportedMediaTypeError,
} from '../../producer/http-errors.ts';
import { charsetOf, jsonBodyProblem } from '../../producer/json-body.ts';

describe('producer http errors', () => {
  it('maps each error class to its status and a short code', () => {
    const cases: [unknown, number, string][] = [
      [new ValidationError('is required', '/type'), 400, 'invalid_request'],
      [new TooLargeError('too many'), 413, 'too_large'],
      [new MessageTooLargeError('above the broker limit', 1048588), 413, 'too_large'],
      [new BadEncodingError('not UTF-8'), 400, 'invalid_encoding'],
      [new UnsupportedMediaTypeError('latin1'), 415, 'unsupported_media_type'],
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

describe('producer JSON bodies', () => {
  const utf8 = Buffer.from('{"type":"café ✓","payload":{}}');
  it('reads the charset parameter of a content type', () => {
    expect(charsetOf('application/json')).to.equal(undefined);
    expect(charsetOf(undefined)).to.equal(undefined);
    expect(charsetOf('application/json; charset=UTF-8')).to.equal('utf-8');
    expect(charsetOf('application/json;foo=bar; Charset="latin1"')).to.equal('latin1');
  });
  it('takes UTF-8 bodies with no charset or a UTF-8 one', () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset="UTF8"',
    ]) {
      expect(jsonBodyProblem(type, utf8), type).to.equal(undefined);
    }
  });
  it('refuses another charset (415, saying what to send) and bytes that are not UTF-8 (400)', () => {
    const latin1 = jsonBodyProblem('application/json; charset=latin1', utf8);
    expect(latin1).to.be.instanceOf(UnsupportedMediaTypeError);
    expect(latin1?.message).to.contain('charset=latin1').and.contain('UTF-8');
    const bytes = Buffer.from([
      ...Buffer.from('{"type":"caf'),
      0xe9,
      ...Buffer.from('","payload":{}}'),
    ]);
    expect(jsonBodyProblem('application/json', bytes)).to.be.instanceOf(BadEncodingError);
    // A truncated multi-byte sequence and an overlong encoding are not UTF-8 either.
    expect(jsonBodyProblem(undefined, Buffer.from([0x7b, 0xe2, 0x9c]))).to.be.instanceOf(
      BadEncodingError,
    );
    expect(jsonBodyProblem(undefined, Buffer.from([0xc0, 0xaf]))).to.be.instanceOf(
      BadEncodingError,
    );
  });
});
