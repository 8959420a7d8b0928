import type { TransportName } from '../../lib/envelope.ts';
import { cleanupRun } from '../cleanup.ts';
import type { BenchContext } from '../context.ts';
import { runTag } from '../events.ts';
import type { OtlpReceiver } from '../otlp-receiver.ts';
import { progress } from '../progress.ts';
import type { TracingCostResult } from '../results.ts';
import { startProducer } from '../services.ts';
import { configFor, runNames, type Env } from '../stack.ts';
import { drainOnce } from './drain.ts';
import { ingestThroughProducer } from './ingest.ts';

/** One ingest run through a fresh producer started with `extraEnv`; events/s. */
async function ingestOnce(
  ctx: BenchContext,
  transport: TransportName,
  label: string,
  extraEnv: Env,
): Promise<number> {
  const env = { ...ctx.baseEnv, ...runNames(`tc-${label}-${transport}`), ...extraEnv };
  const producer = await startProducer(env, ctx.logDir, `producer-tracing-${label}`);
  try {
    progress(`tracing cost ${transport}: ingest, tracing ${label}`);
    const tag = runTag(`tc-${label}-${transport}`);
    return (await ingestThroughProducer(ctx, producer, { transport, env: {} }, tag)).eventsPerS;
  } finally {
    // Stopping flushes the last spans to the receiver.
    await producer.stop();
    await cleanupRun(configFor(env));
  }
}

const cost = (off: number, on: number) => (off > 0 ? 1 - on / off : Number.NaN);

/**
 * What tracing costs: the ingest run (producer: server and publish spans) and the drain run
 * (workers: process and sink spans) with tracing off, then on, exporting over OTLP/HTTP to
 * `receiver` in the bench process. The drain's backlog is written by the raw client, so its
 * process spans start traces of their own; the spans made and exported are the same.
 * Off and on alternate for `rounds` rounds and the best of each is kept (a shared machine
 * only ever slows a run down).
 */
export async function measureTracingCost(
  ctx: BenchContext,
  transport: TransportName,
  receiver: OtlpReceiver,
): Promise<TracingCostResult> {
  const on: Env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
  const { rounds } = ctx.plan.tracing;
  const best = { ingestOff: 0, ingestOn: 0, drainOff: 0, drainOn: 0 };
  const before = receiver.count;
  for (let round = 0; round < rounds; round += 1) {
    best.ingestOff = Math.max(best.ingestOff, await ingestOnce(ctx, transport, 'off', {}));
    best.ingestOn = Math.max(best.ingestOn, await ingestOnce(ctx, transport, 'on', on));
    progress(`tracing cost ${transport}: drain, tracing off, then on`);
    best.drainOff = Math.max(
      best.drainOff,
      (await drainOnce(ctx, { transport, env: {} }, 'workers')).eventsPerS,
    );
    best.drainOn = Math.max(
      best.drainOn,
      (await drainOnce(ctx, { transport, env: {} }, 'workers', on)).eventsPerS,
    );
  }
  return {
    transport,
    ingestEvents: ctx.plan.ingest.events,
    drainEvents: ctx.plan.drain.events,
    ingestOffEventsPerS: best.ingestOff,
    ingestOnEventsPerS: best.ingestOn,
    ingestCost: cost(best.ingestOff, best.ingestOn),
    drainOffEventsPerS: best.drainOff,
    drainOnEventsPerS: best.drainOn,
    drainCost: cost(best.drainOff, best.drainOn),
    spansReceived: receiver.count - before,
    rounds,
  };
}
