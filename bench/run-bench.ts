import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../lib/config.ts';
import { errorMessage } from '../lib/errors.ts';
import type { TransportName } from '../lib/envelope.ts';
import { startInfra } from '../harness/infra/index.ts';
import { cacheDir } from '../harness/infra/paths.ts';
import { cleanupRun } from './cleanup.ts';
import type { BenchContext } from './context.ts';
import { benchPayload } from './events.ts';
import { measureDrain } from './phases/drain.ts';
import { measureIngest } from './phases/ingest.ts';
import { measureLatency } from './phases/latency.ts';
import { measureRecovery } from './phases/recovery.ts';
import { measureSingle } from './phases/single-requests.ts';
import { benchPlan } from './plan.ts';
import { progress } from './progress.ts';
import type { BenchResult } from './results.ts';
import { startProducer, type ProducerHandle } from './services.ts';
import { openSinkReader } from './sink-reader.ts';
import { configFor, directEnv, runNames } from './stack.ts';

/** Kafka's jar folder in the cache: the running version's, else any cached one (external infra). */
function kafkaLibsDir(cache: string, version: string): string {
  const own = join(cache, `kafka-${version}`, 'libs');
  if (existsSync(own) || !existsSync(cache)) return own;
  const any = readdirSync(cache).find(
    (d) => d.startsWith('kafka-') && existsSync(join(cache, d, 'libs')),
  );
  return any === undefined ? own : join(cache, any, 'libs');
}

export interface RunBenchOptions {
  quick: boolean;
  transports: TransportName[];
  /** Where child logs go (a folder per run is made inside). */
  resultsDir: string;
}

/**
 * The whole benchmark on freshly started local infrastructure. A measurement that fails is
 * recorded in `errors` and the others still run; the infrastructure is always stopped.
 */
export async function runBench(options: RunBenchOptions): Promise<BenchResult> {
  const plan = benchPlan(options.quick);
  const startedAt = new Date().toISOString();
  const loadAvgAtStart = loadavg();
  const logDir = join(options.resultsDir, `logs-${startedAt.replaceAll(':', '-')}`);
  await mkdir(logDir, { recursive: true });
  const config = loadConfig();
  progress(`starting infrastructure (${plan.mode} mode; child logs in ${logDir})`);
  const infra = await startInfra(config, (line) => progress(line));
  const result: BenchResult = {
    startedAt,
    finishedAt: '',
    mode: plan.mode,
    plan,
    transports: options.transports,
    machine: { cpus: cpus().length, loadAvgAtStart, node: process.version },
    infra: { provider: infra.provider, versions: { ...infra.versions } },
    ingest: [],
    single: [],
    drain: [],
    recovery: [],
    latency: [],
    errors: [],
    notes: [],
    logDir,
  };
  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      result.errors.push(`${what}: ${errorMessage(err)}`);
      progress(`FAILED ${what}: ${errorMessage(err)}`);
      return undefined;
    }
  };
  const ctx: BenchContext = {
    plan,
    endpoints: infra.endpoints,
    baseEnv: directEnv(infra.endpoints),
    logDir,
    kafkaLibsDir: kafkaLibsDir(cacheDir(config.infra.cacheDir), infra.versions.kafka),
    payload: benchPayload(plan.payloadBytes),
  };
  const ts = options.transports;

  try {
    // 1 and 2: one producer, its own topic/stream/queue. Restarted if something killed it
    // (the machine is shared), so one lost process does not cost every later figure.
    const ingestEnv = { ...ctx.baseEnv, ...runNames('producer') };
    let producer: ProducerHandle | undefined;
    const liveProducer = async (before: string): Promise<ProducerHandle> => {
      const gone = producer?.exitReason();
      if (producer && gone === undefined) return producer;
      if (producer) {
        result.notes.push(
          `the ingest producer exited unexpectedly before ${before}; restarted (${gone?.split('\n')[0] ?? ''})`,
        );
        progress(`producer gone before ${before}; restarting it`);
      }
      producer = await startProducer(ingestEnv, logDir, 'producer-ingest');
      return producer;
    };
    for (const t of ts) {
      const r = await attempt(`ingest ${t}`, async () =>
        measureIngest(ctx, await liveProducer(`ingest ${t}`), t),
      );
      if (r) result.ingest.push(r);
    }
    for (const target of [...ts, 'livez' as const]) {
      const r = await attempt(`single requests ${target}`, async () =>
        measureSingle(ctx, await liveProducer(`single requests ${target}`), target),
      );
      if (r) result.single.push(r);
    }
    await producer?.stop();
    await cleanupRun(configFor(ingestEnv));

    // 3: drain, transport by transport (CPU-bound: nothing else runs meanwhile).
    for (const t of ts) {
      const r = await attempt(`drain ${t}`, () => measureDrain(ctx, t));
      if (r) result.drain.push(r);
    }

    // 4: recovery is bound by timeouts, not CPU: the transports run side by side.
    progress(`recovery: ${ts.join(', ')} side by side`);
    const recoveries = await Promise.all(
      ts.map((t) => attempt(`recovery ${t}`, () => measureRecovery(ctx, t))),
    );
    for (const r of recoveries) if (r) result.recovery.push(r);

    // 5: latency against a fresh producer (no backlog left from the ingest runs).
    const latencyEnv = { ...ctx.baseEnv, ...runNames('latency'), WORK_TIME_MS: '0' };
    const latencyProducer = await attempt('latency producer start', () =>
      startProducer(latencyEnv, logDir, 'producer-latency'),
    );
    if (latencyProducer) {
      const reader = await openSinkReader(infra.endpoints.sink.direct, latencyEnv.SINK_NAMESPACE);
      try {
        for (const t of ts) {
          const capacity = result.single.find((x) => x.target === t)?.requestsPerS;
          if (capacity === undefined || !Number.isFinite(capacity) || capacity <= 0) {
            result.errors.push(
              `latency ${t}: no single-event capacity measured to scale the load from`,
            );
            continue;
          }
          const r = await attempt(`latency ${t}`, () =>
            measureLatency(ctx, latencyProducer, latencyEnv, reader, t, capacity),
          );
          if (r) result.latency.push(...r);
        }
      } finally {
        reader.close();
        await latencyProducer.stop();
        await cleanupRun(configFor(latencyEnv));
      }
    }
  } finally {
    progress('stopping infrastructure');
    await infra.stop();
  }
  result.finishedAt = new Date().toISOString();
  return result;
}
