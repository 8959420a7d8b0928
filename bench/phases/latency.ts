import { setTimeout as sleep } from 'node:timers/promises';
import type autocannon from 'autocannon';
import type { Config } from '../../lib/config.ts';
import type { TransportName } from '../../lib/envelope.ts';
import { driverFor } from '../../lib/transports/registry.ts';
import { runCannon } from '../cannon.ts';
import type { BenchContext } from '../context.ts';
import { BENCH_EVENT_TYPE, runTag } from '../events.ts';
import { postBodies } from '../http-batch-load.ts';
import { progress } from '../progress.ts';
import type { LatencyResult } from '../results.ts';
import type { ProducerHandle } from '../services.ts';
import { startPool } from '../services.ts';
import type { SinkReader } from '../sink-reader.ts';
import { configFor, type Env } from '../stack.ts';
import { logName, subjectLabel, variantField, type BenchSubject } from '../subjects.ts';
import { percentile, perSecond } from '../stats.ts';

/** Id `<tag>-<seq>-<sendMs>`: the client's send time travels with the event to the sink. */
const sentAt = (id: string) => Number(id.slice(id.lastIndexOf('-') + 1));

/** An open-loop autocannon run at `rate` req/s whose every body has a fresh timestamped id. */
function cannonFor(
  url: string,
  tag: string,
  rate: number,
  payload: unknown,
  connections: number,
): autocannon.Options {
  let seq = 0;
  return {
    url,
    connections,
    overallRate: rate,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            id: `${tag}-${seq++}-${Date.now()}`,
            type: BENCH_EVENT_TYPE,
            payload,
          }),
        }),
      },
    ],
  };
}

/** What one latency phase works with: where to send, how to read the sink. */
interface LatencyTarget {
  ctx: BenchContext;
  url: string;
  reader: SinkReader;
  transport: TransportName;
  subject: BenchSubject;
}

/**
 * End-to-end latency (client send -> first sink effect) of single-event requests at
 * fractions of the measured single-event capacity, with a pool of workers consuming.
 * `env` names the producer's topic/stream/queue and sink namespace.
 */
export async function measureLatency(
  ctx: BenchContext,
  producer: ProducerHandle,
  env: Env,
  reader: SinkReader,
  subject: BenchSubject,
  capacityPerS: number,
): Promise<LatencyResult[]> {
  const { transport } = subject;
  const config = configFor(env);
  const target: LatencyTarget = {
    ctx,
    url: `${producer.url}/v1/events/${transport}`,
    reader,
    transport,
    subject,
  };
  const pool = await startPool(
    transport,
    ctx.plan.drain.poolSize,
    env,
    ctx.logDir,
    logName('latency-workers', subject),
  );
  const results: LatencyResult[] = [];
  try {
    await warmUpPath(target, config);
    await warmUpAtLowestLoad(target, capacityPerS);
    for (const fraction of ctx.plan.latency.fractions) {
      results.push(await measureAtFraction(target, fraction, capacityPerS));
    }
  } finally {
    // Drained or not, the measurement is over: do not wait long.
    await pool.stop(10_000);
  }
  return results;
}

/** Warm up the whole path, and let the consumers settle so no rebalance falls into a run. */
async function warmUpPath(target: LatencyTarget, config: Config): Promise<void> {
  const { ctx, url, reader, transport } = target;
  const warmTag = runTag('lw');
  const warm = Array.from({ length: 20 }, (_, i) =>
    JSON.stringify({ id: `${warmTag}-${i}`, type: BENCH_EVENT_TYPE, payload: ctx.payload }),
  );
  await postBodies(url, warm, 4);
  await reader.waitForRecords(transport, warm.length, 60_000);
  const inspector = driverFor(transport).inspect(config);
  const deadline = Date.now() + 30_000;
  while (!(await inspector.settled(ctx.plan.drain.poolSize))) {
    if (Date.now() > deadline)
      throw new Error(`${transport}: consumers did not settle within 30 s`);
    await sleep(250);
  }
}

/** One unmeasured run at the lowest load: JIT, connection pools and fetch loops warm. */
async function warmUpAtLowestLoad(target: LatencyTarget, capacityPerS: number): Promise<void> {
  const { ctx, url, reader, transport } = target;
  const { durationS, connections, fractions } = ctx.plan.latency;
  const warmRate = Math.max(1, Math.round(Math.min(...fractions) * capacityPerS));
  const warmBefore = (await reader.sink.counts(transport)).records;
  const warmRun = await runCannon({
    ...cannonFor(url, runTag('lwarm'), warmRate, ctx.payload, connections),
    duration: Math.max(1, Math.round(durationS / 3)),
  });
  await reader.waitForRecords(transport, warmBefore + warmRun.ok, 60_000).catch(() => undefined);
}

/** One timed open-loop run at `fraction` of capacity, and the latencies the sink recorded. */
async function measureAtFraction(
  target: LatencyTarget,
  fraction: number,
  capacityPerS: number,
): Promise<LatencyResult> {
  const { ctx, url, reader, transport, subject } = target;
  const { durationS, connections } = ctx.plan.latency;
  const targetPerS = Math.max(1, Math.round(fraction * capacityPerS));
  const tag = runTag(`l${Math.round(fraction * 100)}`);
  const before = (await reader.sink.counts(transport)).records;
  progress(
    `latency ${subjectLabel(subject)}: ${Math.round(fraction * 100)}% of capacity = ${targetPerS} req/s for ${durationS} s`,
  );
  const figures = await runCannon({
    ...cannonFor(url, tag, targetPerS, ctx.payload, connections),
    duration: durationS,
  });
  // Bounded: whatever has not arrived by then is reported as not measured.
  await reader.waitForRecords(transport, before + figures.ok, 60_000).catch((err: unknown) => {
    progress(`latency ${transport}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const latencies = (await reader.records(transport))
    .filter((r) => r.id.startsWith(`${tag}-`))
    .map((r) => r.firstEffectMs - sentAt(r.id));
  return {
    transport,
    ...variantField(subject),
    fraction,
    targetPerS,
    achievedPerS: perSecond(figures.ok, figures.durationS * 1000),
    accepted: figures.ok,
    measured: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
