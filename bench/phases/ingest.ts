import type { Config } from '../../lib/config.ts';
import type { TransportName } from '../../lib/envelope.ts';
import { driverFor } from '../../lib/transports/registry.ts';
import { chunks, forEachBounded } from '../../lib/bounded.ts';
import { cleanupRun } from '../cleanup.ts';
import type { BenchContext } from '../context.ts';
import { BENCH_EVENT_TYPE, envelopes, eventIds, runTag } from '../events.ts';
import { postBodies } from '../http-batch-load.ts';
import { progress } from '../progress.ts';
import type { IngestResult } from '../results.ts';
import type { ProducerHandle } from '../services.ts';
import { subjectLabel, variantField, type BenchSubject } from '../subjects.ts';
import { configFor, runNames } from '../stack.ts';
import { perSecond, ratio } from '../stats.ts';

/** Batches sent before the timed part, so connections and JIT are warm on both sides. */
const WARMUP_BATCHES = 10;

/**
 * Events/s of 100-event batches through the producer (HTTP, bounded concurrency) against
 * the raw client doing the same durable publish with the same batches in flight, and the
 * broker's own tool as a ceiling.
 */
export async function measureIngest(
  ctx: BenchContext,
  producer: ProducerHandle,
  subject: BenchSubject,
): Promise<IngestResult> {
  const { transport } = subject;
  const tag = runTag(`in-${transport}`);
  const ours = await ingestThroughProducer(ctx, producer, subject, tag);
  // The raw client (of the same variant) on its own topic/stream/queue.
  const rawConfig = configFor({
    ...ctx.baseEnv,
    ...subject.env,
    ...runNames(`in-raw-${transport}`),
  });
  const rawEventsPerS = await ingestWithRawClient(ctx, rawConfig, subject, tag);
  const tool = await ingestWithBrokerTool(ctx, rawConfig, transport, tag);
  await cleanupRun(rawConfig);

  return {
    transport,
    ...variantField(subject),
    events: ctx.plan.ingest.events,
    producerEventsPerS: ours.eventsPerS,
    producerFailures: ours.failures,
    rawEventsPerS,
    ratio: ratio(ours.eventsPerS, rawEventsPerS),
    tool,
  };
}

/** Warm-up, then the timed batches through the producer's HTTP endpoint. */
export async function ingestThroughProducer(
  ctx: BenchContext,
  producer: ProducerHandle,
  subject: BenchSubject,
  tag: string,
): Promise<{ eventsPerS: number; failures: Record<string, number> }> {
  const { transport } = subject;
  const { events: count, batchSize, concurrency } = ctx.plan.ingest;
  // Bodies built up front so the client spends little CPU.
  const body = (ids: string[]) =>
    JSON.stringify({
      events: ids.map((id) => ({ id, type: BENCH_EVENT_TYPE, payload: ctx.payload })),
    });
  const url = `${producer.url}/v1/events/${transport}`;
  await postBodies(
    url,
    chunks(eventIds(`${tag}-w`, WARMUP_BATCHES * batchSize), batchSize).map(body),
    concurrency,
  );
  const bodies = chunks(eventIds(`${tag}-p`, count), batchSize).map(body);
  progress(`ingest ${subjectLabel(subject)}: ${count} events through the producer`);
  const ours = await postBodies(url, bodies, concurrency);
  if (ours.accepted === 0) {
    throw new Error(
      `the producer accepted no batch (${JSON.stringify(ours.failures)})${producer.exitReason() ? `: ${producer.exitReason()}` : ''}`,
    );
  }
  return { eventsPerS: perSecond(ours.accepted * batchSize, ours.ms), failures: ours.failures };
}

/** The same batches, equally many in flight, published by the broker's own client. */
async function ingestWithRawClient(
  ctx: BenchContext,
  rawConfig: Config,
  subject: BenchSubject,
  tag: string,
): Promise<number> {
  const { transport } = subject;
  const { events: count, batchSize, concurrency } = ctx.plan.ingest;
  const raw = await driverFor(transport).raw.publisher(rawConfig);
  try {
    const warm = chunks(
      envelopes(eventIds(`${tag}-rw`, WARMUP_BATCHES * batchSize), ctx.payload),
      batchSize,
    );
    await forEachBounded(warm, concurrency, (b) => raw.publish(b));
    const batches = chunks(envelopes(eventIds(`${tag}-r`, count), ctx.payload), batchSize);
    progress(`ingest ${subjectLabel(subject)}: ${count} events with the raw client`);
    const started = performance.now();
    await forEachBounded(batches, concurrency, (b) => raw.publish(b));
    return perSecond(count, performance.now() - started);
  } finally {
    await raw.close();
  }
}

/** The broker's own load tool as a ceiling, where the driver has one. */
async function ingestWithBrokerTool(
  ctx: BenchContext,
  rawConfig: Config,
  transport: TransportName,
  tag: string,
): Promise<IngestResult['tool']> {
  const brokerTool = driverFor(transport).raw.tool;
  if (!brokerTool) return null;
  const { events: count, batchSize, concurrency } = ctx.plan.ingest;
  const envelopeBytes = Buffer.byteLength(
    JSON.stringify(envelopes([`${tag}-r-0`], ctx.payload)[0]),
  );
  progress(`ingest ${transport}: ${count} records with the broker's own tool`);
  return brokerTool({
    config: rawConfig,
    kafkaLibsDir: ctx.kafkaLibsDir,
    records: count,
    recordBytes: envelopeBytes,
    connections: concurrency,
    pipeline: batchSize,
    timeoutMs: 120_000,
  });
}
