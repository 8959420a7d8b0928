/**
 * Opt-in tracing on real brokers, for every registered driver: the real producer and a real
 * worker pool (child processes) export to an OTLP/HTTP receiver in this process, and every
 * event makes one joined trace: the producer's SERVER span, its PRODUCER publish span, the
 * worker's CONSUMER process span and the sink write's span, parent to child across the
 * processes. With tracing off the messages carry no trace context at all.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../lib/config.ts';
import type { TransportName } from '../../lib/envelope.ts';
import { drivers } from '../../lib/transports/registry.ts';
import { endpointsToEnv, type Infra } from '../../harness/infra/index.ts';
import { freePort } from '../../harness/infra/ports.ts';
import { ProducerService } from '../../harness/processes.ts';
import { useInfra } from '../support/infra.ts';
import {
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../../bench/otlp-receiver.ts';
import { BrokerView, post, startProducer } from './producer-support.ts';
import { isolatedEnv, startPool, waitUntil } from './workers-pool.ts';

const KIND = { server: 2, client: 3, producer: 4, consumer: 5 } as const;

/** What one message holds besides the envelope: its field names and its traceparent. */
interface StoredMessage {
  names: string[];
  traceparent?: string;
}

type MessageReader = (
  view: BrokerView,
  redis: Redis,
  config: Config,
  ids: readonly string[],
) => Promise<Map<string, StoredMessage>>;

/** Each broker's message read back, in its own format (headers, stream fields, job data). */
const READERS: Record<TransportName, MessageReader> = {
  kafka: async (view, _redis, _config, ids) => {
    const records = await view.kafkaRecords(ids.length);
    return new Map(
      records.map((r) => [
        r.event.id,
        { names: Object.keys(r.headers).sort(), traceparent: r.headers.traceparent },
      ]),
    );
  },
  redis: async (_view, redis, config) => {
    const entries = await redis.xrange(config.redis.stream, '-', '+');
    return new Map(
      entries.map(([, fields]) => {
        const map = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
        const names = [...map.keys()].sort();
        return [map.get('id')!, { names, traceparent: map.get('traceparent') }];
      }),
    );
  },
  bullmq: async (view, _redis, _config, ids) => {
    const found = new Map<string, StoredMessage>();
    for (const id of ids) {
      const data = (await view.bullmqJob(id))?.data as Record<string, unknown> | undefined;
      if (data === undefined) continue;
      const trace = data.traceContext as Record<string, string> | undefined;
      found.set(id, { names: Object.keys(data).sort(), traceparent: trace?.traceparent });
    }
    return found;
  },
};

/** The untraced formats: what a message holds when tracing is off. */
const UNTRACED_NAMES: Record<TransportName, string[]> = {
  kafka: ['id', 'type'],
  redis: ['envelope', 'id', 'type'],
  bullmq: ['id', 'payload', 'producedAt', 'type'],
};

const tag = () => randomBytes(3).toString('hex');

async function postEvents(url: string, transport: string, ids: string[]): Promise<void> {
  // Singles, then the rest as one batch: both paths are traced per event.
  const [first, second, ...batch] = ids;
  for (const id of [first!, second!]) {
    const answer = await post(`${url}/v1/events/${transport}`, { id, type: 't', payload: { id } });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
  }
  const events = batch.map((id) => ({ id, type: 't', payload: { id } }));
  const answer = await post(`${url}/v1/events/${transport}`, { events });
  expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
}

const attr = (span: ReceivedSpan, key: string) => span.attributes[key];

/**
 * The spans of one event's trace, checked parent to child; returns its trace id. `batch`:
 * the size of the request the event came in (a batch has one publish span for all).
 */
function checkChain(
  spans: ReceivedSpan[],
  id: string,
  target: { destination: string; system: string },
  batch: number,
) {
  const { destination, system } = target;
  const bySpanId = new Map(spans.map((s) => [s.spanId, s]));
  const withId = (name: string) =>
    spans.filter((s) => s.name === name && attr(s, 'messaging.message.id') === id);
  const processSpans = withId(`process ${destination}`);
  expect(processSpans, `process span of ${id}`).to.have.length(1);
  const processSpan = processSpans[0]!;
  expect(processSpan).to.include({ kind: KIND.consumer, service: 'workers' });
  expect(processSpan.attributes).to.include({
    'messaging.system': system,
    'messaging.destination.name': destination,
    'messaging.operation.type': 'process',
  });
  const publish = bySpanId.get(processSpan.parentSpanId);
  expect(publish, `publish span (parent of the process span) of ${id}`).to.not.equal(undefined);
  expect(publish!).to.include({ name: `publish ${destination}`, kind: KIND.producer });
  expect(publish!).to.include({ service: 'producer', traceId: processSpan.traceId });
  expect(publish!.attributes).to.include({
    'messaging.system': system,
    'messaging.destination.name': destination,
    'messaging.operation.type': 'send',
  });
  if (batch === 1) expect(attr(publish!, 'messaging.message.id')).to.equal(id);
  else expect(attr(publish!, 'messaging.batch.message_count')).to.equal(batch);
  const server = bySpanId.get(publish!.parentSpanId);
  expect(server, `server span (parent of the publish span) of ${id}`).to.not.equal(undefined);
  expect(server!).to.include({ name: 'POST /v1/events/:transport', kind: KIND.server });
  expect(server!).to.include({ service: 'producer', traceId: processSpan.traceId });
  expect(server!.attributes).to.include({ 'http.route': '/v1/events/:transport' });
  expect(server!.attributes['http.response.status_code']).to.equal(202);
  const sink = spans.filter((s) => s.parentSpanId === processSpan.spanId);
  expect(sink.map((s) => s.name)).to.deep.equal(['sink write']);
  expect(sink[0]!).to.include({ service: 'workers', traceId: processSpan.traceId });
  return { traceId: processSpan.traceId, publishSpanId: publish!.spanId };
}

function env(infra: Infra, receiver?: OtlpReceiver): Record<string, string> {
  return {
    ...endpointsToEnv(infra.endpoints),
    ...isolatedEnv(`trace-${tag()}`),
    LOG_LEVEL: 'warn',
    KAFKA_PARTITIONS: '2',
    REDIS_BLOCK_MS: '500',
    ...(receiver
      ? // Exported every 200 ms so the test need not wait the default 5 s.
        { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200' }
      : {}),
  };
}

describe('tracing on: one joined trace per event (real brokers, OTLP/HTTP receiver)', function () {
  this.timeout(180_000);
  const infra = useInfra();
  let receiver: OtlpReceiver;
  let producer: ProducerService | undefined;
  let baseEnv: Record<string, string>;
  let redis: Redis;

  before(async function () {
    receiver = await startOtlpReceiver();
    baseEnv = env(infra(), receiver);
    producer = new ProducerService(baseEnv, await mkdtemp(join(tmpdir(), 'trace-')));
    await producer.start();
    redis = new Redis(infra().endpoints.redis.direct);
  });
  after(async function () {
    await producer?.stop();
    redis?.disconnect();
    await receiver?.close();
  });

  for (const driver of drivers) {
    it(`${driver.name}: server, publish, process and sink spans, parent to child`, async function () {
      const config = loadConfig(baseEnv);
      const { system, destination } = driver.messaging(config);
      const ids = Array.from({ length: 5 }, (_, i) => `tr-${driver.name}-${tag()}-${i}`);
      // Two single requests, then the other three as one batch (postEvents).
      const chainsNow = () =>
        ids.map((id, i) =>
          checkChain(receiver.spans, id, { destination, system }, i < 2 ? 1 : ids.length - 2),
        );
      const complete = () => {
        try {
          chainsNow();
          return true;
        } catch {
          return false;
        }
      };
      const pool = await startPool({ transport: driver.name, size: 1, env: baseEnv });
      try {
        await postEvents(producer!.url, driver.name, ids);
        await waitUntil('every span of every event', complete, 60_000).catch(() => undefined);
      } finally {
        await pool.stop();
      }
      // Checked once more outside the wait, so a missing span fails with its own message.
      const chains = chainsNow();
      // The two single requests are traces of their own; the batch shares its request's.
      expect(new Set(chains.map((c) => c.traceId)).size).to.equal(3);
      expect(receiver.rejected).to.equal(0);
      // The message itself carried the publish span's context, read back from the broker.
      const view = new BrokerView(infra(), config);
      try {
        const stored = await READERS[driver.name](view, redis, config, ids);
        for (const [i, id] of ids.entries()) {
          const { traceId, publishSpanId } = chains[i]!;
          expect(stored.get(id)?.traceparent, id).to.equal(`00-${traceId}-${publishSpanId}-01`);
        }
      } finally {
        await view.close();
      }
    });
  }
});

describe('tracing off: messages carry no trace context (real brokers)', function () {
  this.timeout(120_000);
  const infra = useInfra();

  for (const driver of drivers) {
    it(`${driver.name}: the message is in its untraced format`, async function () {
      const producer = await startProducer(infra(), isolatedEnv(`untraced-${tag()}`));
      const view = new BrokerView(infra(), producer.config);
      const redis = new Redis(infra().endpoints.redis.direct);
      try {
        const ids = [`untraced-${tag()}`];
        const answer = await post(`${producer.url}/v1/events/${driver.name}`, {
          id: ids[0],
          type: 't',
          payload: { n: 1 },
        });
        expect(answer.status).to.equal(202);
        const stored = await READERS[driver.name](view, redis, producer.config, ids);
        expect(stored.get(ids[0]!)).to.deep.equal({
          names: UNTRACED_NAMES[driver.name],
          traceparent: undefined,
        });
      } finally {
        redis.disconnect();
        await view.close();
        await producer.close();
      }
    });
  }
});

describe('tracing with the collector down (real brokers)', function () {
  this.timeout(120_000);
  const infra = useInfra();

  it('answers every request, logs the failed exports and stops in bounded time', async function () {
    // Nothing listens there: every export is refused.
    const deadCollector = `http://127.0.0.1:${await freePort()}`;
    const runDir = await mkdtemp(join(tmpdir(), 'trace-down-'));
    const producer = new ProducerService(
      {
        ...env(infra()),
        OTEL_EXPORTER_OTLP_ENDPOINT: deadCollector,
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      runDir,
    );
    await producer.start();
    let stopMs: number;
    try {
      for (const driver of drivers) {
        const answer = await post(`${producer.url}/v1/events/${driver.name}`, {
          type: 't',
          payload: { n: 1 },
        });
        expect(answer.status, driver.name).to.equal(202);
      }
      const log = () => readFile(join(runDir, 'producer.log'), 'utf8').catch(() => '');
      await waitUntil(
        'a logged export failure',
        async () => (await log()).includes('span export failed'),
        30_000,
      );
    } finally {
      const started = Date.now();
      await producer.stop();
      stopMs = Date.now() - started;
    }
    // The last export gets at most 3 s; the rest of a stop is well under a second here.
    expect(stopMs).to.be.below(8000);
  });
});
