import { expect } from 'chai';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import type { EventEnvelope } from '../../lib/envelope.ts';
import { useInfra } from '../support/infra.ts';
import { BrokerView, post, startProducer, type RunningProducer } from './producer-support.ts';

describe('producer: 202 means the broker holds the event (real brokers)', function () {
  this.timeout(120000);
  const infra = useInfra();
  let producer: RunningProducer;
  let view: BrokerView;

  before(async function () {
    producer = await startProducer(infra());
    view = new BrokerView(infra(), producer.config);
  });
  after(async function () {
    await view?.close();
    await producer?.close();
  });

  const single = {
    id: 'single-1',
    type: 'order.created',
    key: 'customer-7',
    payload: { n: 1, nested: { ok: true } },
  };
  const batch = Array.from({ length: 1000 }, (_, i) => ({
    id: `batch-${i}`,
    type: `t${i % 3}`,
    payload: { i },
  }));
  const byId = new Map(batch.map((e) => [e.id, e]));

  function expectSame(got: EventEnvelope, sent: { id: string; type: string; payload: unknown }) {
    expect(got.id).to.equal(sent.id);
    expect(got.type).to.equal(sent.type);
    expect(got.payload).to.deep.equal(sent.payload);
    expect(Number.isNaN(Date.parse(got.producedAt))).to.equal(false);
  }

  describe('kafka', function () {
    it('a single event and a batch of 1000 are in the topic with key, headers and envelope', async function () {
      const one = await post(`${producer.url}/v1/events/kafka`, single);
      expect(one.status).to.equal(202);
      expect(one.body).to.deep.equal({ transport: 'kafka', ids: ['single-1'] });
      const many = await post(`${producer.url}/v1/events/kafka`, { events: batch });
      expect(many.status).to.equal(202);
      expect(many.body.ids).to.deep.equal(batch.map((e) => e.id));

      const records = await view.kafkaRecords(1001);
      expect(records).to.have.length(1001);
      const first = records.find((r) => r.event.id === 'single-1')!;
      expectSame(first.event, single);
      expect(first.key).to.equal('customer-7');
      expect(first.headers).to.deep.equal({ id: 'single-1', type: 'order.created' });
      for (const r of records.filter((x) => x.event.id !== 'single-1')) {
        expectSame(r.event, byId.get(r.event.id)!);
        expect(r.key).to.equal(r.event.id); // no key: the id is the key
      }
      expect(new Set(records.map((r) => r.event.id)).size).to.equal(1001);
    });
  });

  describe('redis', function () {
    it('a single event and a batch of 1000 are stream entries with id, type and envelope', async function () {
      const one = await post(`${producer.url}/v1/events/redis`, single);
      expect(one.status).to.equal(202);
      expect(one.body).to.deep.equal({ transport: 'redis', ids: ['single-1'] });
      const many = await post(`${producer.url}/v1/events/redis`, { events: batch });
      expect(many.status).to.equal(202);

      const entries = await view.redisEntries();
      expect(entries).to.have.length(1001);
      expect(entries[0]!.id).to.equal('single-1');
      expect(entries[0]!.type).to.equal('order.created');
      expectSame(entries[0]!.event, single);
      expect(entries[0]!.event.key).to.equal('customer-7');
      // One pipeline keeps the batch in order.
      expect(entries.slice(1).map((e) => e.id)).to.deep.equal(batch.map((e) => e.id));
      for (const e of entries.slice(1)) expectSame(e.event, byId.get(e.id)!);
    });
  });

  describe('bullmq', function () {
    it('a single event and a batch of 1000 are jobs named by type with the envelope as data', async function () {
      const one = await post(`${producer.url}/v1/events/bullmq`, single);
      expect(one.status).to.equal(202);
      const many = await post(`${producer.url}/v1/events/bullmq`, { events: batch });
      expect(many.status).to.equal(202);

      const job = await view.bullmqJob('single-1');
      expect(job?.name).to.equal('order.created');
      expectSame(job!.data, single);
      for (const e of batch) {
        const j = await view.bullmqJob(e.id);
        expect(j?.name, e.id).to.equal(e.type);
        expectSame(j!.data, e);
      }
      expect((await view.counts()).bullmq).to.equal(1001);
    });

    it('the same id twice is one job; ids BullMQ refuses (integers, colons) still work', async function () {
      for (let i = 0; i < 2; i++) {
        expect((await post(`${producer.url}/v1/events/bullmq`, single)).status).to.equal(202);
      }
      const odd = await post(`${producer.url}/v1/events/bullmq`, {
        events: [
          { id: '12345', type: 't', payload: {} },
          { id: 'a:b', type: 't', payload: {} },
        ],
      });
      expect(odd.status).to.equal(202);
      expect((await view.bullmqJob('12345'))?.data.id).to.equal('12345');
      expect((await view.bullmqJob('a:b'))?.data.id).to.equal('a:b');
      expect((await view.counts()).bullmq).to.equal(1003);
    });
  });

  describe('ids', function () {
    it('uses Idempotency-Key for a single event and makes time-ordered ids otherwise', async function () {
      const keyed = await post(
        `${producer.url}/v1/events/redis`,
        { type: 't', payload: {} },
        { 'idempotency-key': 'idem-42' },
      );
      expect(keyed.body.ids).to.deep.equal(['idem-42']);
      const a = await post(`${producer.url}/v1/events/redis`, { type: 't', payload: {} });
      const b = await post(`${producer.url}/v1/events/redis`, { type: 't', payload: {} });
      const [idA] = a.body.ids as string[];
      const [idB] = b.body.ids as string[];
      expect(idA! < idB!).to.equal(true);
      const entries = await view.redisEntries();
      expect(entries.slice(-3).map((e) => e.id)).to.deep.equal(['idem-42', idA, idB]);
    });
  });

  describe('health and metrics', function () {
    it('/livez and /readyz answer 200 with every broker ready; /metrics counts by transport', async function () {
      expect((await fetch(`${producer.url}/livez`)).status).to.equal(200);
      const ready = await fetch(`${producer.url}/readyz`);
      expect(ready.status).to.equal(200);
      expect(await ready.json()).to.deep.equal({
        status: 'ready',
        brokers: { kafka: 'ready', redis: 'ready', bullmq: 'ready' },
      });
      const text = await (await fetch(`${producer.url}/metrics`)).text();
      expect(text).to.match(/producer_events_accepted_total\{transport="kafka"\} 1001/);
      expect(text).to.match(
        /producer_publish_duration_seconds_bucket\{le="[^"]+",transport="redis",outcome="accepted"\}/,
      );
    });
  });
});

describe('producer: event sizes and body encodings (real brokers)', function () {
  this.timeout(120000);
  const infra = useInfra();
  let producer: RunningProducer;
  let view: BrokerView;
  let limitBytes: number;

  before(async function () {
    // A long linger, so that requests sent at the same moment share one produce request.
    producer = await startProducer(infra(), { PRODUCER_LINGER_MS: '300' });
    view = new BrokerView(infra(), producer.config);
    const kafka = new Kafka({
      brokers: [infra().endpoints.kafka.direct],
      clientId: 'producer-test-limit',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        resources: [
          {
            type: kafkajs.ConfigResourceTypes.TOPIC,
            name: producer.config.kafka.topic,
            configNames: ['max.message.bytes'],
          },
        ],
        includeSynonyms: false,
      });
      limitBytes = Number(resources[0]?.configEntries[0]?.configValue);
    } finally {
      await admin.disconnect();
    }
  });
  after(async function () {
    await view?.close();
    await producer?.close();
  });

  const url = () => `${producer.url}/v1/events/kafka`;
  const small = (i: number) => ({ id: `small-${i}`, type: 't', key: 'k', payload: { i } });

  it('an event above the message limit gets 413 naming it; small requests sent with it get 202', async function () {
    expect(limitBytes).to.be.within(1024, 2 * 1024 * 1024 - 1);
    const before = (await view.counts()).kafka;
    const big = {
      id: 'big-1',
      type: 't',
      key: 'k',
      payload: { blob: 'x'.repeat(2 * 1024 * 1024) },
    };
    const answers = await Promise.all([
      post(url(), small(0)),
      post(url(), big),
      ...[1, 2, 3, 4].map((i) => post(url(), small(i))),
    ]);
    const [first, tooLarge, ...rest] = answers;
    expect(tooLarge.status, JSON.stringify(tooLarge.body)).to.equal(413);
    expect(tooLarge.body.error).to.equal('too_large');
    expect(tooLarge.body.message).to.contain('big-1').and.contain(`at most ${limitBytes} bytes`);
    expect(tooLarge.headers.get('retry-after')).to.equal(null);
    for (const a of [first, ...rest]) expect(a.status, JSON.stringify(a.body)).to.equal(202);
    expect((await view.counts()).kafka - before).to.equal(5);
    const records = await view.kafkaRecords(before + 5);
    expect(records.map((r) => r.event.id)).to.not.include('big-1');
  });

  it('events that fit alone but not together, merged into one flush, are all published', async function () {
    const before = (await view.counts()).kafka;
    // One key, so one partition: together they are one record batch above the limit.
    const part = (i: number) => ({
      id: `part-${i}`,
      type: 't',
      key: 'same',
      payload: { blob: 'y'.repeat(Math.floor(limitBytes * 0.6)) },
    });
    const answers = await Promise.all([post(url(), part(0)), post(url(), part(1))]);
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).to.equal(202);
    const batch = await post(url(), { events: [part(2), part(3)] });
    expect(batch.status, JSON.stringify(batch.body)).to.equal(202);
    expect((await view.counts()).kafka - before).to.equal(4);
  });

  it('takes a UTF-8 body declared charset=UTF-8 and keeps its text', async function () {
    const event = { id: 'utf8-1', type: 'café ✓', payload: { text: 'naïve ☃ 𝄞' } };
    const answer = await post(`${producer.url}/v1/events/redis`, JSON.stringify(event), {
      'content-type': 'application/json; charset=UTF-8',
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
    const entry = (await view.redisEntries()).find((e) => e.id === 'utf8-1');
    expect(entry?.event.type).to.equal('café ✓');
    expect(entry?.event.payload).to.deep.equal(event.payload);
  });
});
