/**
 * Helpers for the producer's integration tests: an in-process producer on real brokers
 * (its own topic, stream and queue per start, so tests never see each other's events),
 * and read-only views of what the brokers hold, taken over the never-faulted DIRECT links.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { loadConfig, type Config } from '../../lib/config.ts';
import { decodeEnvelope, type EventEnvelope, type TransportName } from '../../lib/envelope.ts';
import { waitForPublishers } from '../../lib/transports/publisher.ts';
import { drivers } from '../../lib/transports/registry.ts';
import { bullmqJobId } from '../../lib/transports/bullmq/job-id.ts';
import type { Publisher } from '../../lib/transports/types.ts';
import { buildProducerApp } from '../../producer/app.ts';
import { endpointsToEnv, type Infra, type ProxyName } from '../../harness/infra/index.ts';

/** Env for a producer on `infra` with names of its own. */
export function producerEnv(
  infra: Infra,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const suffix = randomUUID().slice(0, 8);
  return {
    ...endpointsToEnv(infra.endpoints),
    KAFKA_TOPIC: `producer-test-${suffix}`,
    KAFKA_PARTITIONS: '3',
    REDIS_STREAM: `producer-test-${suffix}`,
    BULLMQ_QUEUE: `producer-test-${suffix}`,
    LOG_LEVEL: 'silent',
    PRODUCER_HOST: '127.0.0.1',
    PRODUCER_PORT: '0',
    ...overrides,
  };
}

export interface RunningProducer {
  url: string;
  config: Config;
  app: FastifyInstance;
  publishers: Record<TransportName, Publisher>;
  close(): Promise<void>;
}

/** Starts the app in-process on port 0 and waits until every broker link is ready. */
export async function startProducer(
  infra: Infra,
  overrides: Record<string, string> = {},
): Promise<RunningProducer> {
  const config = loadConfig(producerEnv(infra, overrides));
  const logger = pino({ level: 'silent' });
  const publishers = Object.fromEntries(
    drivers.map((d) => [d.name, d.createPublisher(config, { logger })]),
  ) as Record<TransportName, Publisher>;
  if (!(await waitForPublishers(Object.values(publishers), 30000))) {
    await Promise.allSettled(Object.values(publishers).map((p) => p.close()));
    throw new Error('publishers not ready within 30 s');
  }
  const app = buildProducerApp({ config, publishers, logger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    app,
    publishers,
    async close() {
      await app.close();
      await Promise.allSettled(Object.values(publishers).map((p) => p.close()));
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  ms: number;
}

/** POSTs `body` (an object is sent as JSON, a string or bytes as they are) and parses the JSON answer. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<Answer> {
  const started = Date.now();
  const raw = typeof body === 'string' || body instanceof Uint8Array || body === undefined;
  const res = await fetch(url, {
    method,
    headers: raw ? headers : { 'content-type': 'application/json', ...headers },
    // Node's fetch sends bytes as they are; its typings only take ArrayBuffer-backed ones.
    body: (raw ? body : JSON.stringify(body)) as BodyInit | undefined,
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { unparsed: text };
  }
  return { status: res.status, headers: res.headers, body: parsed, ms: Date.now() - started };
}

/** Read-only access to what the brokers hold, through the DIRECT (never faulted) links. */
export class BrokerView {
  private readonly kafka: Kafka;
  private readonly redis: Redis;
  private readonly queueConnection: Redis;
  private readonly queue: Queue;
  private readonly admin;

  constructor(
    infra: Infra,
    private readonly config: Config,
  ) {
    this.kafka = new Kafka({
      brokers: [infra.endpoints.kafka.direct],
      clientId: 'producer-test-view',
      logLevel: logLevel.NOTHING,
    });
    this.admin = this.kafka.admin();
    this.redis = new Redis(infra.endpoints.redis.direct);
    this.queueConnection = new Redis(infra.endpoints.redis.direct, { maxRetriesPerRequest: null });
    this.queue = new Queue(config.bullmq.queue, { connection: this.queueConnection });
    for (const client of [this.redis, this.queueConnection]) client.on('error', () => undefined);
  }

  /** Events in each broker: topic high watermarks, stream length, jobs in the queue. */
  async counts(): Promise<Record<TransportName, number>> {
    await this.admin.connect();
    const offsets = await this.admin.fetchTopicOffsets(this.config.kafka.topic);
    const kafka = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    const redis = await this.redis.xlen(this.config.redis.stream);
    const jobs = await this.queue.getJobCounts();
    const bullmq = Object.values(jobs).reduce((a, b) => a + b, 0);
    return { kafka, redis, bullmq };
  }

  /** Reads the whole topic with a fresh group until `expected` records arrived. */
  async kafkaRecords(
    expected: number,
    timeoutMs = 60000,
  ): Promise<{ event: EventEnvelope; key: string; headers: Record<string, string> }[]> {
    const consumer = this.kafka.consumer({ groupId: `producer-test-${randomUUID()}` });
    const records: { event: EventEnvelope; key: string; headers: Record<string, string> }[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.config.kafka.topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`only ${records.length} of ${expected} records in ${timeoutMs} ms`)),
          timeoutMs,
        );
        void consumer
          .run({
            eachMessage: ({ message }) => {
              const headers = Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
              );
              records.push({
                event: decodeEnvelope(message.value ?? ''),
                key: String(message.key),
                headers,
              });
              if (records.length >= expected) {
                clearTimeout(timer);
                resolve();
              }
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return records;
  }

  async redisEntries(): Promise<{ id: string; type: string; event: EventEnvelope }[]> {
    const entries = await this.redis.xrange(this.config.redis.stream, '-', '+');
    return entries.map(([, fields]) => {
      const map = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
      return {
        id: map.get('id')!,
        type: map.get('type')!,
        event: decodeEnvelope(map.get('envelope')!),
      };
    });
  }

  async bullmqJob(eventId: string): Promise<{ name: string; data: EventEnvelope } | undefined> {
    const job = await this.queue.getJob(bullmqJobId(eventId));
    return job === undefined || job === null
      ? undefined
      : { name: job.name, data: job.data as EventEnvelope };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.admin.disconnect(), this.queue.close()]);
    this.redis.disconnect();
    this.queueConnection.disconnect();
  }
}

/** A Toxiproxy link that is put back as it was (enabled, no toxics) by `heal`. */
export async function proxyControl(
  infra: Infra,
  name: ProxyName,
): Promise<{ proxy: Proxy; disable(): Promise<void>; heal(): Promise<void> }> {
  const proxy = await new Toxiproxy(infra.endpoints.toxiproxy.url).get(name);
  const set = (enabled: boolean) =>
    proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
  return {
    proxy,
    disable: async () => void (await set(false)),
    async heal() {
      // The client's Proxy does not list toxics; ask the API.
      const res = await fetch(`${infra.endpoints.toxiproxy.url}/proxies/${name}/toxics`);
      const toxics = (await res.json()) as { name: string }[];
      for (const toxic of toxics) await (await proxy.getToxic(toxic.name)).remove();
      await set(true);
    },
  };
}

export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  pollMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
