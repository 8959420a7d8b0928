import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Toxiproxy } from 'toxiproxy-node-client';
import { loadConfig } from '../lib/config.ts';
import { isolatedNames } from '../lib/transports/registry.ts';
import { TRANSPORTS, type TransportName } from '../lib/envelope.ts';
import { ConfigError } from '../lib/errors.ts';
import { createSink } from '../lib/sink.ts';
import type { Scenario } from './scenario.ts';
import { validateScenario } from './validate-scenario.ts';
import { gatherCheckInputs, processedCounts, waitForDrain } from './check-inputs.ts';
import { check, type CheckResult } from './checker/index.ts';
import { createClient } from './client.ts';
import { checkExpectations, observeSignals, type ExpectationResult } from './expectations.ts';
import { createFaultTimeline } from './fault-timeline.ts';
import { createGenerator, type GeneratorProgress } from './generator.ts';
import { createClock, createHistoryWriter, loadHistory, type RunPhase } from './history.ts';
import { endpointsToEnv, startInfra, type Infra } from './infra/index.ts';
import { ProducerService } from './processes.ts';
import { WorkerPool } from './worker-pool.ts';
import { createRandom, SEED_PATTERN } from './random.ts';
import { createRunDir, writeReport } from './report.ts';
import { resolveSchedule } from './schedule.ts';

export interface RunOptions {
  scenario: Scenario;
  seed: string;
  failpoints?: readonly string[];
  /** Root of the run folders (default `runs`). */
  outDir?: string;
  /** Reuse running infrastructure (the test suite shares one); else one is started and stopped. */
  infra?: Infra;
  /** Called about once a second with what the run is doing. */
  onProgress?: (progress: RunProgress) => void;
  /** Infrastructure progress lines (provisioning on first use). */
  log?: (line: string) => void;
}

export interface RunProgress {
  phase: RunPhase;
  elapsedS: number;
  load: GeneratorProgress;
  /** Events with an effect in the sink, per transport. */
  processed: Partial<Record<TransportName, number>>;
  activeFaults: string[];
}

export interface RunOutcome {
  scenario: string;
  seed: string;
  runDir: string;
  /** Safety (the checker) and liveness (the faults bit) together. */
  valid: boolean | 'unknown';
  result: CheckResult;
  expectations: ExpectationResult;
  wallS: number;
  htmlPath: string;
}

/**
 * Runs one scenario end to end, Jepsen-style: start the system, drive load while the
 * nemeses inject the schedule, heal everything, wait for the drain, then check the history
 * against the sink and the brokers and write the report.
 */
export async function runScenario(options: RunOptions): Promise<RunOutcome> {
  const { scenario, seed } = options;
  checkRunOptions(options);
  const transports = scenario.transports ?? TRANSPORTS;
  const random = createRandom(seed);
  const schedule = resolveSchedule({ ...scenario, transports }, random.fork('faults'));
  const runDir = await createRunDir(options.outDir ?? 'runs', scenario.name);
  const runId = `${basename(runDir)}-${randomBytes(3).toString('hex')}`;

  const ownInfra = options.infra === undefined;
  const infra = options.infra ?? (await startInfra(loadConfig(), options.log));
  const clock = createClock();
  const history = createHistoryWriter(`${runDir}/history.ndjson`);
  const mark = (phase: RunPhase) => history.append({ type: 'phase', phase, ...clock.now() });
  history.append({
    type: 'meta',
    scenario: scenario.name,
    seed,
    transports: [...transports],
    ...clock.now(),
    detail: { provider: infra.provider, versions: infra.versions, schedule },
  });

  // Per-run names: runs sharing one infrastructure never see each other's data.
  const names = isolatedNames(runId);
  const env: NodeJS.ProcessEnv = {
    ...endpointsToEnv(infra.endpoints),
    ...names,
    // The services must not pick the external provider's switch up from the harness.
    INFRA_PROVIDER: undefined,
    WORK_TIME_MS: String(scenario.workers.workTimeMs),
    FAILPOINTS: (options.failpoints ?? []).join(','),
    ...scenario.workers.env,
  };
  const config = loadConfig(env);
  const toxiproxy = new Toxiproxy(infra.endpoints.toxiproxy.url);
  await toxiproxy.reset(); // a clean network whatever an earlier run left
  const producer = new ProducerService(env, runDir);
  const size = scenario.workers.size;
  const pools = new Map(
    transports.map((t) => {
      const logFile = join(runDir, `workers-${t}.log`);
      return [t, new WorkerPool({ transport: t, size, env, logFile })] as const;
    }),
  );
  const sinkRedis = new Redis(infra.endpoints.sink.direct, { maxRetriesPerRequest: 2 });
  const sink = createSink(sinkRedis, { namespace: names.SINK_NAMESPACE });
  const faults = createFaultTimeline(
    { infra, toxiproxy, pools, transports, random: random.fork('nemesis') },
    history,
    clock,
  );
  let phase: RunPhase = 'setup';
  let generator: ReturnType<typeof createGenerator> | undefined;
  const progressTimer = setInterval(() => {
    const load = generator?.progress();
    if (!options.onProgress || !load) return;
    void processedCounts(sink, transports).then((processed) =>
      options.onProgress?.({
        phase,
        elapsedS: clock.now().time / 1000,
        load,
        processed,
        activeFaults: faults.active(),
      }),
    );
  }, 1000);

  try {
    mark('setup');
    await producer.start();
    const startPools = async () =>
      void (await Promise.all([...pools.values()].map((p) => p.start())));
    const startAfterSec = scenario.workers.startAfterSec ?? 0;
    if (startAfterSec === 0) await startPools();

    phase = 'load';
    mark('load');
    const loadStartMs = clock.now().time;
    const client = createClient({ producerUrl: producer.url });
    generator = createGenerator({
      client,
      history,
      clock,
      random: random.fork('load'),
      seed,
      transports,
      messages: scenario.load.messages,
      ratePerSec: scenario.load.ratePerSec,
      concurrency: scenario.load.concurrency,
      batchSize: scenario.load.batchSize,
      poisonFraction: scenario.load.poisonFraction ?? 0,
      payloadBytes: scenario.load.payloadBytes ?? 64,
      ...(scenario.load.durationSec !== undefined
        ? { durationSec: scenario.load.durationSec }
        : {}),
    });
    const loadDone = generator.run();
    // Late pools: the backlog builds before any consumer group exists.
    const poolsUp = startAfterSec > 0 ? sleep(startAfterSec * 1000).then(startPools) : undefined;
    // Observed now, rethrown below: a late pool failing to start must not crash the harness.
    poolsUp?.catch(() => undefined);
    await faults.run(schedule, loadStartMs);
    await loadDone;
    await poolsUp;

    phase = 'heal';
    mark('heal');
    await faults.healEverything(toxiproxy, infra, pools);

    phase = 'drain';
    mark('drain');
    const drainSec = scenario.timeouts?.drainSec ?? 30;
    await waitForDrain(transports, config, drainSec * 1000);

    phase = 'check';
    mark('check');
    const inputs = await gatherCheckInputs(transports, config, sink);
    history.flush();
    const entries = await loadHistory(`${runDir}/history.ndjson`);
    const result = check({ history: entries, transports, ...inputs });
    const expectations = checkExpectations(scenario.expectations, observeSignals(entries, result));
    mark('done');
    history.close();
    const valid = result.valid === true ? expectations.met : result.valid;
    const written = await writeReport(runDir, {
      scenario: scenario.name,
      seed,
      startedAt: clock.startWall,
      result,
      expectations,
      history: entries,
      sink: inputs.sink,
      meta: {
        valid,
        provider: infra.provider,
        versions: infra.versions,
        schedule,
        transports,
        load: scenario.load,
        workers: size,
        failpoints: options.failpoints ?? [],
      },
    });
    return {
      scenario: scenario.name,
      seed,
      runDir,
      valid,
      result,
      expectations,
      wallS: clock.now().time / 1000,
      htmlPath: written.htmlPath,
    };
  } finally {
    clearInterval(progressTimer);
    generator?.stop();
    history.close();
    await Promise.allSettled([...[...pools.values()].map((p) => p.stop()), producer.stop()]);
    sinkRedis.disconnect();
    if (ownInfra) await infra.stop();
  }
}

/** Rejects what would waste a run, before a run folder exists: each message names the field. */
function checkRunOptions({ scenario, seed, failpoints = [] }: RunOptions): void {
  if (!SEED_PATTERN.test(seed)) {
    throw new ConfigError(
      `seed must be 1 to 32 of [A-Za-z0-9._-] (it becomes part of event ids), got "${seed}"`,
    );
  }
  const problems = validateScenario(scenario);
  if (problems.length > 0)
    throw new ConfigError(`scenario ${scenario.name}: ${problems.join('; ')}`);
  // The settings the services will get, checked here rather than in a child's crash.
  loadConfig({ ...scenario.workers.env, FAILPOINTS: failpoints.join(',') });
}
