import { createRequire } from 'node:module';
import { expect } from 'chai';
import kafkajs, { type Admin, type DescribeConfigResponse, type Message } from 'kafkajs';
import { AppError } from '../../lib/errors.ts';
import {
  chunkByBytes,
  KAFKA_DEFAULT_MESSAGE_MAX_BYTES,
  MessageTooLargeError,
  readMessageLimit,
  recordBytes,
  tooLargeError,
} from '../../lib/transports/kafka/message-limit.ts';

// kafkajs' own record batch encoder: what the broker measures against its limit.
const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (o: { records: Encoded[] }) => Promise<Encoded>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: Record<string, string | Buffer>;
  offsetDelta?: number;
  timestampDelta?: number;
}) => Encoded;

const limit = { bytes: 1000, setting: 'max.message.bytes of topic t' };

describe('kafka message limit', function () {
  describe('recordBytes', function () {
    const messages: Message[] = [
      { key: 'k', value: '{}', headers: { id: 'a', type: 't' } },
      { key: 'clé-ü-✓', value: Buffer.alloc(200_000, 1), headers: { id: 'é'.repeat(100) } },
      { key: null, value: 'x'.repeat(2 * 1024 * 1024) },
    ];
    it('never counts fewer bytes than kafkajs encodes, and not many more', async function () {
      for (const m of messages) {
        const record = Record({
          key: m.key ?? null,
          value: m.value,
          headers: (m.headers ?? {}) as Record<string, string>,
          // The widest deltas a record of a large batch can have.
          offsetDelta: 1_000_000,
          timestampDelta: 60_000,
        });
        const batch = await RecordBatch({ records: [record] });
        const estimate = 61 + recordBytes(m);
        expect(estimate).to.be.at.least(batch.buffer.length);
        expect(estimate - batch.buffer.length).to.be.below(64);
      }
    });
  });

  describe('chunkByBytes', function () {
    it('keeps the order and fills each run up to the limit, header included', function () {
      const items = [400, 400, 200, 500, 300, 900, 100].map((bytes, i) => ({ i, bytes }));
      const chunks = chunkByBytes(items, limit);
      expect(chunks.map((c) => c.map((x) => x.i))).to.deep.equal([[0, 1], [2, 3], [4], [5], [6]]);
      for (const c of chunks) expect(61 + c.reduce((n, x) => n + x.bytes, 0)).to.be.at.most(1000);
      expect(chunkByBytes([], limit)).to.deep.equal([]);
    });
    it('gives a record too large alone a run of its own', function () {
      const chunks = chunkByBytes([{ bytes: 10 }, { bytes: 5000 }, { bytes: 10 }], limit);
      expect(chunks.map((c) => c.length)).to.deep.equal([1, 1, 1]);
    });
  });

  describe('tooLargeError', function () {
    it('names the first event that cannot fit, its size and the limit', function () {
      expect(tooLargeError([{ id: 'a', bytes: 939 }], limit)).to.equal(undefined);
      const err = tooLargeError(
        [
          { id: 'a', bytes: 10 },
          { id: 'b', bytes: 940 },
          { id: 'c', bytes: 5000 },
        ],
        limit,
      );
      expect(err).to.be.instanceOf(MessageTooLargeError).and.instanceOf(AppError);
      expect(err?.code).to.equal('TOO_LARGE');
      expect(err?.retriable).to.equal(false);
      expect(err?.limitBytes).to.equal(1000);
      expect(err?.message).to.contain('event b is 940 bytes').and.contain('at most 1000 bytes');
      expect(err?.message).to.contain('max.message.bytes of topic t');
    });
  });

  describe('readMessageLimit', function () {
    const refused = () =>
      new kafkajs.KafkaJSProtocolError({
        message: 'no',
        type: 'TOPIC_AUTHORIZATION_FAILED',
        code: 29,
      } as unknown as Error);
    const response = (configName: string, configValue: string): DescribeConfigResponse => ({
      throttleTime: 0,
      resources: [
        {
          errorCode: 0,
          errorMessage: '',
          resourceName: 'x',
          resourceType: 2,
          configEntries: [
            {
              configName,
              configValue,
              isDefault: false,
              configSource: 1,
              isSensitive: false,
              readOnly: false,
              configSynonyms: [],
            },
          ],
        },
      ],
    });
    /** An admin whose describeConfigs answers per resource type (2 topic, 4 broker). */
    const admin = (answers: Record<number, () => Promise<DescribeConfigResponse>>) =>
      ({
        describeConfigs: ({ resources }: { resources: { type: number }[] }) =>
          answers[resources[0]!.type]!(),
        describeCluster: () => Promise.resolve({ brokers: [{ nodeId: 1 }], controller: 1 }),
      }) as unknown as Admin;

    it("takes the topic's max.message.bytes first", async function () {
      const got = await readMessageLimit(
        admin({
          2: () => Promise.resolve(response('max.message.bytes', '300000')),
          4: () => Promise.resolve(response('message.max.bytes', '5000000')),
        }),
        'events',
      );
      expect(got).to.deep.equal({ bytes: 300000, setting: 'max.message.bytes of topic events' });
    });
    it("falls back to the broker's message.max.bytes, then to Kafka's default", async function () {
      const broker = await readMessageLimit(
        admin({
          2: () => Promise.reject(refused()),
          4: () => Promise.resolve(response('message.max.bytes', '5000000')),
        }),
        'events',
      );
      expect(broker).to.deep.equal({ bytes: 5000000, setting: 'message.max.bytes of broker 1' });
      const neither = await readMessageLimit(
        admin({
          2: () => Promise.resolve(response('max.message.bytes', 'lots')),
          4: () => Promise.reject(refused()),
        }),
        'events',
      );
      expect(neither.bytes).to.equal(KAFKA_DEFAULT_MESSAGE_MAX_BYTES);
    });
    it('fails when the broker cannot be asked (the setup is tried again)', async function () {
      const down = admin({ 2: () => Promise.reject(new Error('ECONNREFUSED')) });
      let failed = false;
      await readMessageLimit(down, 'events').catch(() => (failed = true));
      expect(failed).to.equal(true);
    });
  });
});
