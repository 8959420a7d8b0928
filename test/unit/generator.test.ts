import { expect } from 'chai';
import type { TransportName } from '../../lib/envelope.ts';
import {
  classifyError,
  classifyStatus,
  createClient,
  type Client,
  type ClientEvent,
  type Outcome,
} from '../../harness/client.ts';
import { createGenerator } from '../../harness/generator.ts';
import { createClock, createMemoryHistory, type OpEntry } from '../../harness/history.ts';
import { createRandom } from '../../harness/random.ts';

/** A fake producer: answers by a rule, records what it got. */
function fakeClient(
  rule: (events: readonly ClientEvent[], n: number) => Outcome,
): Client & { got: ClientEvent[][] } {
  const got: ClientEvent[][] = [];
  return {
    got,
    async send(_t: TransportName, events) {
      got.push([...events]);
      await new Promise((r) => setImmediate(r));
      return rule(events, got.length);
    },
  };
}

function run(
  seed: string,
  client: Client,
  extra: Partial<Parameters<typeof createGenerator>[0]> = {},
) {
  const history = createMemoryHistory();
  const gen = createGenerator({
    client,
    history,
    clock: createClock(),
    random: createRandom(seed),
    seed,
    transports: ['kafka', 'redis'],
    messages: 50,
    ratePerSec: 5000,
    concurrency: 3,
    batchSize: 4,
    ...extra,
  });
  return { gen, history };
}

describe('generator', () => {
  it('sends every event once with run-unique ids and records invoke + completion', async () => {
    const client = fakeClient((_, n) =>
      n % 5 === 0
        ? { type: 'info', error: 'timeout' }
        : n % 7 === 0
          ? { type: 'fail', status: 503 }
          : { type: 'ok', status: 202 },
    );
    const { gen, history } = run('s1', client);
    const final = await gen.run();
    const ids = client.got.flat().map((e) => e.id);
    expect(ids).to.have.length(100);
    expect(new Set(ids).size).to.equal(100);
    expect(ids).to.include('s1-kafka-0').and.include('s1-redis-49');
    const ops = history.entries as OpEntry[];
    expect(ops.filter((e) => e.type === 'invoke')).to.have.length(client.got.length);
    expect(ops.filter((e) => e.type !== 'invoke')).to.have.length(client.got.length);
    const k = final.kafka;
    expect(k.sent).to.equal(50);
    expect(k.acked + k.failed + k.info).to.equal(50);
    expect(k.inFlight).to.equal(0);
    // Each completion pairs with the open invoke of its process.
    const open = new Map<string, string>();
    for (const e of ops) {
      const key = `${e.transport}/${e.process}`;
      if (e.type === 'invoke') {
        expect(open.has(key)).to.equal(false);
        open.set(key, e.ids.join());
      } else {
        expect(open.get(key)).to.equal(e.ids.join());
        open.delete(key);
      }
    }
  });

  it('retires a process after an indeterminate outcome', async () => {
    const client = fakeClient(() => ({ type: 'info', error: 'timeout' }));
    const { gen, history } = run('s2', client, {
      transports: ['kafka'],
      concurrency: 1,
      messages: 3,
      batchSize: 1,
    });
    await gen.run();
    const procs = (history.entries as OpEntry[])
      .filter((e) => e.type === 'invoke')
      .map((e) => e.process);
    expect(new Set(procs).size).to.equal(3);
  });

  it('is deterministic in ids, batches and poison for a seed', async () => {
    const poisonOf = async (seed: string) => {
      const client = fakeClient(() => ({ type: 'ok', status: 202 }));
      const { gen, history } = run(seed, client, { poisonFraction: 0.2, concurrency: 1 });
      await gen.run();
      // Sorted: transports interleave in the history by timing; each one's ids are fixed.
      return (history.entries as OpEntry[])
        .flatMap((e) => (e.type === 'invoke' ? (e.poison ?? []) : []))
        .sort();
    };
    const a = await poisonOf('p');
    expect(a.length).to.be.greaterThan(0);
    expect(await poisonOf('p')).to.deep.equal(a);
    const client = fakeClient(() => ({ type: 'ok', status: 202 }));
    const { gen } = run('p', client, { poisonFraction: 0.2, concurrency: 1 });
    await gen.run();
    const marked = client.got
      .flat()
      .filter((e) => (e.payload as { poison?: boolean }).poison === true);
    expect(marked.map((e) => e.id).sort()).to.deep.equal(a);
  });

  it('stops issuing on stop() and lets in-flight requests complete', async () => {
    const client = fakeClient(() => ({ type: 'ok', status: 202 }));
    const { gen, history } = run('s3', client, {
      messages: 100_000,
      ratePerSec: 200,
      transports: ['kafka'],
    });
    const done = gen.run();
    await new Promise((r) => setTimeout(r, 60));
    gen.stop();
    const final = await done;
    expect(final.kafka.sent).to.be.greaterThan(0).and.below(100);
    expect(final.kafka.acked).to.equal(final.kafka.sent);
    expect(final.kafka.remaining).to.equal(0);
    expect(history.entries.length % 2).to.equal(0);
  });

  it('is bounded in time by durationSec', async () => {
    const client = fakeClient(() => ({ type: 'ok', status: 202 }));
    const started = Date.now();
    const { gen } = run('s4', client, {
      messages: 100_000,
      ratePerSec: 100,
      durationSec: 0.1,
      transports: ['kafka'],
    });
    await gen.run();
    expect(Date.now() - started).to.be.below(1000);
  });

  it('rejects nonsense options, naming them', () => {
    expect(() =>
      run(
        'x',
        fakeClient(() => ({ type: 'ok' })),
        { ratePerSec: 0 },
      ),
    ).to.throw(/ratePerSec/);
    expect(() =>
      run(
        'x',
        fakeClient(() => ({ type: 'ok' })),
        { poisonFraction: 2 },
      ),
    ).to.throw(/poisonFraction/);
  });
});

describe('generator: keyed sequential streams', () => {
  /** A client whose requests take a random few ms, noting what was in flight per key. */
  function keyedClient(seed: string) {
    const random = createRandom(seed);
    const inFlight = new Map<string, number>();
    const order = new Map<string, number[]>();
    let overlapped = 0;
    const client: Client = {
      async send(_t, events) {
        for (const e of events) {
          const key = e.key ?? '';
          if ((inFlight.get(key) ?? 0) > 0) overlapped++;
          inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
          order.set(key, [...(order.get(key) ?? []), (e.payload as { seq: number }).seq]);
        }
        await new Promise((r) => setTimeout(r, random.int(0, 4)));
        for (const e of events) inFlight.set(e.key ?? '', (inFlight.get(e.key ?? '') ?? 1) - 1);
        return { type: 'ok', status: 202 };
      },
    };
    return { client, order, overlapped: () => overlapped };
  }

  it('sends each key one request after another, in order, and records the keys', async () => {
    const c = keyedClient('k1');
    const { gen, history } = run('k1', c.client, {
      transports: ['kafka'],
      messages: 120,
      concurrency: 8,
      batchSize: 1,
      keys: 5,
      sequential: true,
    });
    await gen.run();
    expect(c.overlapped()).to.equal(0);
    expect([...c.order.keys()].sort()).to.deep.equal(['key-0', 'key-1', 'key-2', 'key-3', 'key-4']);
    for (const seqs of c.order.values()) {
      expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
      expect(seqs).to.have.length(24);
    }
    const invokes = (history.entries as OpEntry[]).filter((e) => e.type === 'invoke');
    expect(invokes).to.have.length(120);
    for (const e of invokes) {
      const seq = Number(e.ids[0]!.split('-').at(-1));
      expect(e.keys).to.deep.equal([`key-${seq % 5}`]);
    }
    // Each key's next invoke comes after its previous completion.
    const lastDone = new Map<string, number>();
    const keyOf = new Map<number, string>();
    for (const e of history.entries as OpEntry[]) {
      if (e.type === 'invoke') {
        const key = e.keys![0]!;
        expect(e.time).to.be.at.least(lastDone.get(key) ?? 0);
        keyOf.set(e.process, key);
        lastDone.set(key, Number.POSITIVE_INFINITY);
      } else lastDone.set(keyOf.get(e.process)!, e.time);
    }
  });

  it('without sequential, one key may have several requests in flight', async () => {
    const c = keyedClient('k2');
    const { gen } = run('k2', c.client, {
      transports: ['kafka'],
      messages: 200,
      concurrency: 8,
      batchSize: 1,
      keys: 2,
    });
    await gen.run();
    expect(c.overlapped()).to.be.greaterThan(0);
  });

  it('rejects keys that are not a whole number and sequential without keys', () => {
    const ok = fakeClient(() => ({ type: 'ok' }));
    expect(() => run('x', ok, { keys: 0 })).to.throw(/keys/);
    expect(() => run('x', ok, { keys: 1.5 })).to.throw(/keys/);
    expect(() => run('x', ok, { sequential: true })).to.throw(/sequential/);
  });
});

describe('client outcome classification', () => {
  it('maps statuses to ok / fail / info', () => {
    expect(classifyStatus(202).type).to.equal('ok');
    for (const s of [400, 404, 413, 415, 503]) expect(classifyStatus(s).type).to.equal('fail');
    for (const s of [504, 500, 502]) expect(classifyStatus(s).type).to.equal('info');
  });

  it('treats refused connections as definite and anything later as indeterminate', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyError(refused)).to.deep.equal({ type: 'fail', error: 'ECONNREFUSED' });
    const both = new TypeError('fetch failed', {
      cause: new AggregateError([
        Object.assign(new Error(), { code: 'ECONNREFUSED' }),
        Object.assign(new Error(), { code: 'ECONNREFUSED' }),
      ]),
    });
    expect(classifyError(both).type).to.equal('fail');
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(classifyError(reset)).to.deep.equal({ type: 'info', error: 'UND_ERR_SOCKET' });
    expect(classifyError(new DOMException('t', 'TimeoutError'))).to.deep.equal({
      type: 'info',
      error: 'timeout',
    });
    expect(classifyError('weird').type).to.equal('info');
  });

  it('posts a single event bare and a batch as {events}, and never throws', async () => {
    const calls: { url: string; body: unknown }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      await Promise.resolve();
      calls.push({ url, body: JSON.parse(init.body as string) });
      if (calls.length === 3)
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error(), { code: 'ECONNRESET' }),
        });
      return new Response('{}', { status: calls.length === 1 ? 202 : 503 });
    }) as unknown as typeof fetch;
    const client = createClient({ producerUrl: 'http://p:1/', fetch: fakeFetch });
    const e = { id: 'a', type: 't', payload: {} };
    expect(await client.send('kafka', [e])).to.deep.equal({ type: 'ok', status: 202 });
    expect(await client.send('redis', [e, { ...e, id: 'b' }])).to.include({
      type: 'fail',
      status: 503,
    });
    expect(await client.send('bullmq', [e])).to.include({ type: 'info', error: 'ECONNRESET' });
    expect(calls[0]).to.deep.equal({ url: 'http://p:1/v1/events/kafka', body: e });
    expect(calls[1]!.body).to.deep.equal({ events: [e, { ...e, id: 'b' }] });
  });
});
