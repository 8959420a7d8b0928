import { expect } from 'chai';
import { useInfra } from '../support/infra.ts';
import { BrokerView, post, startProducer, type RunningProducer } from './producer-support.ts';

const BODY_LIMIT = 64 * 1024;

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

interface BadRequest {
  name: string;
  path?: string;
  method?: string;
  body: unknown;
  headers?: Record<string, string>;
  status: number;
  error: string;
  /** Text the message must contain (the field path for schema errors). */
  mentions?: string;
}

const event = { type: 't', payload: { ok: true } };

const BAD: BadRequest[] = [
  {
    name: 'malformed JSON',
    body: '{"type": "t", "payload": {',
    headers: { 'content-type': 'application/json' },
    status: 400,
    error: 'malformed_json',
  },
  {
    name: 'wrong content type',
    body: JSON.stringify(event),
    headers: { 'content-type': 'text/plain' },
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'form content type',
    body: 'type=t',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'empty body',
    body: '',
    headers: { 'content-type': 'application/json' },
    status: 400,
    error: 'empty_body',
  },
  {
    // Fastify decoded these bytes with U+FFFD in place of the bad one, and published that.
    name: 'body that is not valid UTF-8',
    body: Buffer.concat([
      Buffer.from('{"type":"caf'),
      Buffer.from([0xe9]), // latin1 e-acute
      Buffer.from('","payload":{}}'),
    ]),
    headers: { 'content-type': 'application/json' },
    status: 400,
    error: 'invalid_encoding',
    mentions: 'UTF-8',
  },
  {
    name: 'JSON declared in another charset',
    body: JSON.stringify(event),
    headers: { 'content-type': 'application/json; charset=latin1' },
    status: 415,
    error: 'unsupported_media_type',
    mentions: 'charset=utf-8',
  },
  { name: 'JSON array body', body: [event], status: 400, error: 'invalid_request' },
  {
    name: 'missing type',
    body: { payload: {} },
    status: 400,
    error: 'invalid_request',
    mentions: '/type',
  },
  {
    name: 'type is a number',
    body: { type: 5, payload: {} },
    status: 400,
    error: 'invalid_request',
    mentions: '/type',
  },
  {
    name: 'key is a number',
    body: { type: 't', key: 5, payload: {} },
    status: 400,
    error: 'invalid_request',
    mentions: '/key',
  },
  {
    name: 'missing payload',
    body: { type: 't' },
    status: 400,
    error: 'invalid_request',
    mentions: '/payload',
  },
  {
    name: 'non-object payload',
    body: { type: 't', payload: 'text' },
    status: 400,
    error: 'invalid_request',
    mentions: '/payload',
  },
  {
    name: 'unknown field',
    body: { ...event, extra: 1 },
    status: 400,
    error: 'invalid_request',
    mentions: '/extra',
  },
  {
    name: 'payload nested deeper than the limit',
    body: { type: 't', payload: nested(33) },
    status: 400,
    error: 'invalid_request',
    mentions: '/payload',
  },
  {
    name: 'bad id characters',
    body: { ...event, id: 'no spaces/allowed' },
    status: 400,
    error: 'invalid_request',
    mentions: '/id',
  },
  {
    name: '200-character id',
    body: { ...event, id: 'x'.repeat(200) },
    status: 400,
    error: 'invalid_request',
    mentions: '/id',
  },
  {
    name: 'bad Idempotency-Key',
    body: event,
    headers: { 'idempotency-key': 'has space' },
    status: 400,
    error: 'invalid_request',
    mentions: 'idempotency-key',
  },
  {
    name: 'events is not an array',
    body: { events: {} },
    status: 400,
    error: 'invalid_request',
    mentions: '/events',
  },
  {
    name: 'empty batch',
    body: { events: [] },
    status: 400,
    error: 'invalid_request',
    mentions: '/events',
  },
  {
    name: 'one bad event in a batch (the good ones are not published either)',
    body: { events: [event, event, { type: 't', payload: 1 }] },
    status: 400,
    error: 'invalid_request',
    mentions: '/events/2/payload',
  },
  {
    name: 'duplicate ids inside one batch',
    body: {
      events: [
        { ...event, id: 'dup' },
        { ...event, id: 'other' },
        { ...event, id: 'dup' },
      ],
    },
    status: 400,
    error: 'invalid_request',
    mentions: '/events/2/id',
  },
  {
    name: 'oversize batch',
    body: { events: Array.from({ length: 1001 }, () => event) },
    status: 413,
    error: 'too_large',
  },
  {
    name: 'oversize body',
    body: { type: 't', payload: { blob: 'x'.repeat(BODY_LIMIT) } },
    status: 413,
    error: 'body_too_large',
  },
  {
    name: 'unknown transport',
    path: '/v1/events/rabbitmq',
    body: event,
    status: 404,
    error: 'not_found',
  },
  { name: 'unknown route', path: '/v2/events/kafka', body: event, status: 404, error: 'not_found' },
  { name: 'wrong method', method: 'PUT', body: event, status: 405, error: 'method_not_allowed' },
  {
    name: 'GET on the events route',
    method: 'GET',
    body: undefined,
    status: 405,
    error: 'method_not_allowed',
  },
];

describe('producer: bad requests get a JSON error and publish nothing (real brokers)', function () {
  this.timeout(120000);
  const infra = useInfra();
  let producer: RunningProducer;
  let view: BrokerView;

  before(async function () {
    producer = await startProducer(infra(), { PRODUCER_BODY_LIMIT_BYTES: String(BODY_LIMIT) });
    view = new BrokerView(infra(), producer.config);
    // One good event per transport so the topic, stream and queue exist to be counted.
    for (const t of ['kafka', 'redis', 'bullmq']) {
      expect((await post(`${producer.url}/v1/events/${t}`, event)).status).to.equal(202);
    }
  });
  after(async function () {
    await view?.close();
    await producer?.close();
  });

  it(`has at least 15 distinct cases (${BAD.length})`, function () {
    expect(BAD.length).to.be.at.least(15);
  });

  for (const transport of ['kafka', 'redis', 'bullmq'] as const) {
    describe(`on ${transport}`, function () {
      for (const bad of BAD) {
        it(`${bad.name} -> ${bad.status} ${bad.error}`, async function () {
          const before = await view.counts();
          const answer = await post(
            `${producer.url}${bad.path ?? `/v1/events/${transport}`}`,
            bad.body,
            bad.headers,
            bad.method,
          );
          expect(answer.status, JSON.stringify(answer.body)).to.equal(bad.status);
          expect(answer.headers.get('content-type')).to.match(/^application\/json/);
          expect(Object.keys(answer.body).sort()).to.deep.equal(['error', 'message']);
          expect(answer.body.error).to.equal(bad.error);
          expect(answer.body.message)
            .to.be.a('string')
            .and.not.match(/\n\s+at /); // no stack
          if (bad.mentions) expect(answer.body.message).to.contain(bad.mentions);
          expect(await view.counts()).to.deep.equal(before);
        });
      }
    });
  }
});
