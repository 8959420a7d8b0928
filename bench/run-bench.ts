import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../lib/config.ts';
import { errorMessage } from '../lib/errors.ts';
import type { TransportName } from '../lib/envelope.ts';
import { startInfra, type Infra } from '../harness/infra/index.ts';
import { cacheDir } from '../harness/infra/paths.ts';
import { cleanupRun } from './cleanup.ts';
import type { BenchContext } from './context.ts';
import { benchPayload } from './events.ts';
import { measureDrain } from './phases/drain.ts';
import { measureIngest } from './phases/ingest.ts';
import { measureLatency } from './phases/latency.ts';
import { measureRecovery } from './phases/recovery.ts';
import { measureSingle } from './phases/single-requests.ts';
import { measureTracingCost } from './phases/tracing-cost.ts';
import { startOtlpReceiver } from './otlp-receiver.ts';
import { benchPlan, type BenchPlan } from './plan.ts';
import { progress } from './progress.ts';
import type { BenchResult } from './results.ts';
import { startProducer, type ProducerHandle } from './services.ts';
import { openSinkReader } from './sink-reader.ts';
import { configFor, directEnv, runNames } from './stack.ts';
import { benchSubjects, byEnv, subjectLabel, type BenchSubject } from './subjects.ts';

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
  /** Run only the tracing cost phase. */
  tracingCost?: boolean;
  /** Run only the ingest phase, on the cluster topology. */
  cluster?: boolean;
  /** Infrastructure someone else started and stops (a test's); else the bench starts its own. */
  infra?: Infra;
  /** Where child logs go (a folder per run is made inside). */
  resultsDir: string;
}

/** One bench run in progress: what every phase measures with and records into. */
interface BenchRun {
  ctx: BenchContext;
  result: BenchResult;
  transports: TransportName[];
  /** Each transport's default, then its variants (both Kafka clients). */
  subjects: BenchSubject[];
  /** Runs one measurement; a failure is recorded in `result.errors`, not thrown. */
  attempt: <T>(what: string, fn: () => Promise<T>) => Promise<T | undefined>;
}

/**
 * The whole benchmark on freshly started local infrastructure (or on `options.infra`). A
 * measurement that fails is recorded in `errors` and the others still run; infrastructure
 * the bench started is always stopped.
 */
export async function runBench(options: RunBenchOptions): Promise<BenchResult> {
  const plan = benchPlan(options.quick);
  const startedAt = new Date().toISOString();
  const loadAvgAtStart = loadavg();
  const logDir = join(options.resultsDir, `logs-${startedAt.replaceAll(':', '-')}`);
  await mkdir(logDir, { recursive: true });
  const config = loadConfig(
    options.cluster ? { ...process.env, INFRA_TOPOLOGY: 'cluster' } : process.env,
  );
  const topology = config.infra.topology;
  if (!options.infra)
    progress(`starting ${topology} infrastructure (${plan.mode} mode; child logs in ${logDir})`);
  const infra = options.infra ?? (await startInfra(config, (line) => progress(line)));
  const result = emptyResult({
    plan,
    transports: options.transports,
    startedAt,
    loadAvgAtStart,
    infra,
    logDir,
  });
  const run: BenchRun = {
    ctx: {
      plan,
      endpoints: infra.endpoints,
      baseEnv: directEnv(infra.endpoints),
      logDir,
      kafkaLibsDir: kafkaLibsDir(cacheDir(config.infra.cacheDir), infra.versions.kafka),
      payload: benchPayload(plan.payloadBytes),
    },
    result,
    transports: options.transports,
    subjects: benchSubjects(options.transports),
    attempt: (what, fn) => attemptInto(result, what, fn),
  };
  try {
    if (options.tracingCost) {
      await runTracingCostPhase(run);
    } else if (options.cluster) {
      await runIngestPhase(run);
    } else {
      await runProducerPhases(run);
      await runDrainPhase(run);
      await runRecoveryPhase(run);
      await runLatencyPhase(run);
    }
  } finally {
    if (!options.infra) {
      progress('stopping infrastructure');
      await infra.stop();
    }
  }
  result.finishedAt = new Date().toISOString();
  return result;
}

/** What a result knows before anything is measured. */
interface RunStart {
  plan: BenchPlan;
  transports: TransportName[];
  startedAt: string;
  loadAvgAtStart: number[];
  infra: Infra;
  logDir: string;
}

function emptyResult({
  plan,
  transports,
  startedAt,
  loadAvgAtStart,
  infra,
  logDir,
}: RunStart): BenchResult {
  return {
    startedAt,
    finishedAt: '',
    mode: plan.mode,
    plan,
    transports,
    machine: { cpus: cpus().length, loadAvgAtStart, node: process.version },
    infra: { provider: infra.provider, topology: infra.topology, versions: { ...infra.versions } },
    ingest: [],
    single: [],
    drain: [],
    recovery: [],
    latency: [],
    errors: [],
    notes: [],
    logDir,
  };
}

async function attemptInto<T>(
  result: BenchResult,
  what: string,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    result.errors.push(`${what}: ${errorMessage(err)}`);
    progress(`FAILED ${what}: ${errorMessage(err)}`);
    return undefined;
  }
}

/**
 * 1 and 2: ingest and single requests through one producer on its own topic/stream/queue,
 * one producer per client variant (a variant is a process-wide setting). Restarted if
 * something killed it (the machine is shared), so one lost process does not cost every
 * later figure.
 */
async function runProducerPhases(run: BenchRun): Promise<void> {
  for (const [i, group] of byEnv(run.subjects).entries()) {
    await producerPhasesFor(run, group, { single: true, withCeiling: i === 0 });
  }
}

/** --cluster alone: ingest, client by client, with acks=all on three replicas. */
async function runIngestPhase(run: BenchRun): Promise<void> {
  for (const group of byEnv(run.subjects)) {
    await producerPhasesFor(run, group, { single: false, withCeiling: false });
  }
}

/**
 * Ingest and (unless `single` is off) single requests of the subjects sharing one
 * producer's env; `withCeiling` adds the HTTP ceiling (GET /livez) to the single requests.
 */
async function producerPhasesFor(
  run: BenchRun,
  group: BenchSubject[],
  { single, withCeiling }: { single: boolean; withCeiling: boolean },
): Promise<void> {
  const { ctx, result, attempt } = run;
  const ingestEnv = { ...ctx.baseEnv, ...group[0]?.env, ...runNames('producer') };
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
    producer = await startProducer(ingestEnv, ctx.logDir, 'producer-ingest');
    return producer;
  };
  for (const s of group) {
    const what = `ingest ${subjectLabel(s)}`;
    const r = await attempt(what, async () => measureIngest(ctx, await liveProducer(what), s));
    if (r) result.ingest.push(r);
  }
  const targets = single
    ? [...group, ...(withCeiling ? [{ transport: 'livez' as const }] : [])]
    : [];
  for (const s of targets) {
    const what = `single requests ${subjectLabel(s)}`;
    const variant = 'variant' in s ? s.variant : undefined;
    const r = await attempt(what, async () =>
      measureSingle(ctx, await liveProducer(what), s.transport, variant),
    );
    if (r) result.single.push(r);
  }
  await producer?.stop();
  await cleanupRun(configFor(ingestEnv));
}

/** --tracing-cost alone: tracing off against on, transport by transport. */
async function runTracingCostPhase({ ctx, result, transports, attempt }: BenchRun): Promise<void> {
  const receiver = await startOtlpReceiver({ keepSpans: false });
  result.tracing = [];
  try {
    for (const t of transports) {
      const r = await attempt(`tracing cost ${t}`, () => measureTracingCost(ctx, t, receiver));
      if (r) result.tracing.push(r);
    }
    if (receiver.rejected > 0)
      result.errors.push(`OTLP receiver: ${receiver.rejected} bad requests`);
  } finally {
    await receiver.close();
  }
}

/** 3: drain, subject by subject (CPU-bound: nothing else runs meanwhile). */
async function runDrainPhase({ ctx, result, subjects, attempt }: BenchRun): Promise<void> {
  for (const s of subjects) {
    const r = await attempt(`drain ${subjectLabel(s)}`, () => measureDrain(ctx, s));
    if (r) result.drain.push(r);
  }
}

/** 4: recovery is bound by timeouts, not CPU: the subjects run side by side. */
async function runRecoveryPhase({ ctx, result, subjects, attempt }: BenchRun): Promise<void> {
  progress(`recovery: ${subjects.map(subjectLabel).join(', ')} side by side`);
  const recoveries = await Promise.all(
    subjects.map((s) => attempt(`recovery ${subjectLabel(s)}`, () => measureRecovery(ctx, s))),
  );
  for (const r of recoveries) if (r) result.recovery.push(r);
}

/** 5: latency against a fresh producer per client variant (no backlog from the ingest runs). */
async function runLatencyPhase(run: BenchRun): Promise<void> {
  for (const group of byEnv(run.subjects)) await latencyFor(run, group);
}

async function latencyFor(
  { ctx, result, attempt }: BenchRun,
  group: BenchSubject[],
): Promise<void> {
  const latencyEnv = {
    ...ctx.baseEnv,
    ...group[0]?.env,
    ...runNames('latency'),
    WORK_TIME_MS: '0',
  };
  const latencyProducer = await attempt('latency producer start', () =>
    startProducer(latencyEnv, ctx.logDir, 'producer-latency'),
  );
  if (!latencyProducer) return;
  const reader = await openSinkReader(ctx.endpoints.sink.direct, latencyEnv.SINK_NAMESPACE);
  try {
    for (const s of group) {
      const label = subjectLabel(s);
      // Scaled from the single-event capacity measured in phase 2.
      const capacity = result.single.find(
        (x) => x.target === s.transport && x.variant === s.variant,
      )?.requestsPerS;
      if (capacity === undefined || !Number.isFinite(capacity) || capacity <= 0) {
        result.errors.push(
          `latency ${label}: no single-event capacity measured to scale the load from`,
        );
        continue;
      }
      const r = await attempt(`latency ${label}`, () =>
        measureLatency(ctx, latencyProducer, latencyEnv, reader, s, capacity),
      );
      if (r) result.latency.push(...r);
    }
  } finally {
    reader.close();
    await latencyProducer.stop();
    await cleanupRun(configFor(latencyEnv));
  }
}
