import { expect } from 'chai';
import { ValidationError } from '../../lib/errors.ts';
import { TooLargeError } from '../../producer/http-errors.ts';
import { parseEventsRequest } from '../../producer/validation.ts';

const limits = { maxBatch: 3, maxPayloadDepth: 4 };
const now = new Date('2026-01-02T03:04:05.000Z');

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

function pathOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    return (err as ValidationError).path;
  }
  throw new Error('expected a ValidationError');
}

describe('producer validation', () => {
  it('accepts one event and keeps its id, key, type and payload', () => {
    const [event, ...rest] = parseEventsRequest(
      { id: 'a:1', type: 't', key: 'k', payload: { x: 1 } },
      undefined,
      limits,
      now,
    );
    expect(rest).to.have.length(0);
    expect(event).to.deep.equal({
      id: 'a:1',
      type: 't',
      key: 'k',
      payload: { x: 1 },
      producedAt: now.toISOString(),
    });
  });

  it('makes a time-ordered id when none is given, and uses Idempotency-Key for single events', () => {
    const [generated] = parseEventsRequest({ type: 't', payload: {} }, undefined, limits, now);
    expect(generated?.id).to.match(/^[0-9a-v]{14}[0-9a-f]{12}$/);
    expect(generated).to.not.have.property('key');
    const [keyed] = parseEventsRequest({ type: 't', payload: {} }, 'idem-1', limits, now);
    expect(keyed?.id).to.equal('idem-1');
    const [same] = parseEventsRequest(
      { id: 'idem-1', type: 't', payload: {} },
      'idem-1',
      limits,
      now,
    );
    expect(same?.id).to.equal('idem-1');
  });

  it('accepts a batch up to the limit, in order', () => {
    const events = parseEventsRequest(
      {
        events: [
          { id: 'a', type: 't', payload: {} },
          { type: 'u', payload: { y: [1] } },
        ],
      },
      undefined,
      limits,
      now,
    );
    expect(events.map((e) => e.type)).to.deep.equal(['t', 'u']);
    expect(events[0]?.id).to.equal('a');
  });

  it('names the path of the bad field', () => {
    const cases: [unknown, string][] = [
      [{ payload: {} }, '/type'],
      [{ type: 5, payload: {} }, '/type'],
      [{ type: '', payload: {} }, '/type'],
      [{ type: 'a\nb', payload: {} }, '/type'],
      [{ type: 't' }, '/payload'],
      [{ type: 't', payload: 'text' }, '/payload'],
      [{ type: 't', payload: [1, 2] }, '/payload'],
      [{ type: 't', payload: null }, '/payload'],
      [{ type: 't', payload: nested(5) }, '/payload'],
      [{ id: 'bad id!', type: 't', payload: {} }, '/id'],
      [{ id: 'x'.repeat(200), type: 't', payload: {} }, '/id'],
      [{ id: 7, type: 't', payload: {} }, '/id'],
      [{ type: 't', key: 3, payload: {} }, '/key'],
      [{ type: 't', payload: {}, extra: 1 }, '/extra'],
      [[{ type: 't', payload: {} }], ''],
      ['text', ''],
      [null, ''],
      [{ events: 'no' }, '/events'],
      [{ events: [] }, '/events'],
      [{ events: [{ type: 't', payload: {} }], type: 't' }, '/type'],
      [
        {
          events: [
            { type: 't', payload: {} },
            { type: 't', payload: 1 },
          ],
        },
        '/events/1/payload',
      ],
      [
        {
          events: [
            { id: 'd', type: 't', payload: {} },
            { id: 'd', type: 't', payload: {} },
          ],
        },
        '/events/1/id',
      ],
    ];
    for (const [body, path] of cases) {
      expect(
        pathOf(() => parseEventsRequest(body, undefined, limits, now)),
        JSON.stringify(body),
      ).to.equal(path);
    }
  });

  it('allows a payload exactly at the depth limit', () => {
    expect(
      parseEventsRequest({ type: 't', payload: nested(4) }, undefined, limits, now),
    ).to.have.length(1);
    expect(
      parseEventsRequest({ type: 't', payload: { a: [[{}]] } }, undefined, limits, now),
    ).to.have.length(1);
    expect(
      pathOf(() =>
        parseEventsRequest({ type: 't', payload: { a: [[{ b: {} }]] } }, undefined, limits, now),
      ),
    ).to.equal('/payload');
  });

  it('checks a very deep payload without overflowing the stack', () => {
    expect(
      pathOf(() =>
        parseEventsRequest({ type: 't', payload: nested(200_000) }, undefined, limits, now),
      ),
    ).to.equal('/payload');
  });

  it('rejects bad Idempotency-Key headers and their use with batches', () => {
    const single = { type: 't', payload: {} };
    expect(pathOf(() => parseEventsRequest(single, 'has space', limits, now))).to.equal(
      '/headers/idempotency-key',
    );
    expect(pathOf(() => parseEventsRequest(single, ['a', 'b'], limits, now))).to.equal(
      '/headers/idempotency-key',
    );
    expect(
      pathOf(() => parseEventsRequest({ ...single, id: 'other' }, 'idem', limits, now)),
    ).to.equal('/id');
    expect(pathOf(() => parseEventsRequest({ events: [single] }, 'idem', limits, now))).to.equal(
      '/headers/idempotency-key',
    );
  });

  it('answers an oversize batch with TooLargeError', () => {
    const events = Array.from({ length: 4 }, () => ({ type: 't', payload: {} }));
    expect(() => parseEventsRequest({ events }, undefined, limits, now)).to.throw(TooLargeError);
  });
});
