import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../lib/config.ts';
import { TRANSPORTS, type TransportName } from '../lib/envelope.ts';
import { ConfigError, errorMessage } from '../lib/errors.ts';
import type { FaultStep, Scenario } from './scenario.ts';
import { validateScenario } from './validate-scenario.ts';
import { gatherCheckInputs, locateLost, processedCounts, waitForDrain } from './check-inputs.ts';
import { check, zombieFaultLabels, type CheckResult } from './checker/index.ts';
import { markBrokerLogs, saveBrokerLogExcerpt } from './broker-log-excerpt.ts';
import { awaitWholeCluster } from './cluster-health.ts';
import { createClient } from './client.ts';
import { checkExpectations, observeSignals, type ExpectationResult } from './expectations.ts';
import { createGenerator, type Generator, type GeneratorProgress } from './generator.ts';
import {
  createClock,
  createHistoryWriter,
  type HistoryWriter,
  type RunClock,
  type RunPhase,
} from './history.ts';
import { digestHistoryFile } from './history-digest.ts';
import { startInfra, type Infra } from './infra/index.ts';
import { createRandom, SEED_PATTERN, type Random } from './random.ts';
import { createRunDir, writeReport } from './report.ts';
import { resolveSchedule } from './schedule.ts';
import { startRunSampler, type RunSampler } from './run-sampler.ts';
import { assembleSystem, poolLogPath, type ScenarioSystem } from './scenario-system.ts';

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
  /** The fault schedule the run followed (its chaos mix resolved), for `--shrink`. */
  schedule: FaultStep[];
}

/** What is decided before anything starts: the seed's schedule, the run's folder and id. */
interface RunPlan {
  options: RunOptions;
  transports: readonly TransportName[];
  random: Random;
  schedule: FaultStep[];
  runDir: string;
  /** Unique per run, also on a shared infrastructure. */
  runId: string;
}

/** One run in progress: what its phases share, and what the progress reports read. */
interface ScenarioRun extends RunPlan {
  infra: Infra;
  clock: RunClock;
  history: HistoryWriter;
  system: ScenarioSystem;
  phase: RunPhase;
  generator?: Generator;
  sampler?: RunSampler;
}

/**
 * Runs one scenario end to end, Jepsen-style: start the system, drive load while the
 * nemeses inject the schedule, heal everything, wait for the drain, then check the history
 * against the sink and the brokers and write the report.
 */
export async function runScenario(options: RunOptions): Promise<RunOutcome> {
  checkRunOptions(options);
  const plan = await planRun(options);
  const { scenario } = options;
  const infra = options.infra ?? (await startInfraFor(scenario, options.log));
  const logMark = await markBrokerLogs(infra);
  const clock = createClock();
  const history = openHistory(plan, infra, clock);
  const system = await assembleSystem({
    infra,
    runId: plan.runId,
    runDir: plan.runDir,
    scenario,
    transports: plan.transports,
    failpoints: options.failpoints ?? [],
    random: plan.random.fork('nemesis'),
    history,
    clock,
  });
  const run: ScenarioRun = { ...plan, infra, clock, history, system, phase: 'setup' };
  const progressTimer = reportProgress(run);
  try {
    await setUp(run);
    await driveLoad(run);
    enterPhase(run, 'heal');
    await system.faults.healEverything(system.toxiproxy, infra, system.pools);
    enterPhase(run, 'drain');
    const drainMs = (scenario.timeouts?.drainSec ?? 30) * 1000;
    await waitForDrain(plan.transports, system.config, drainMs);
    await run.sampler?.stop();
    enterPhase(run, 'check');
    return await checkAndReport(run);
  } finally {
    clearInterval(progressTimer);
    run.generator?.stop();
    await run.sampler?.stop();
    history.close();
    await system.stop();
    await saveBrokerLogExcerpt(logMark, plan.runId, join(plan.runDir, 'kafka-brokers.log')).catch(
      (err: unknown) => options.log?.(`kafka log excerpt not saved: ${errorMessage(err)}`),
    );
    if (options.infra === undefined) await infra.stop();
  }
}

async function planRun(options: RunOptions): Promise<RunPlan> {
  const { scenario } = options;
  const transports = scenario.transports ?? TRANSPORTS;
  const random = createRandom(options.seed);
  const schedule = resolveSchedule({ ...scenario, transports }, random.fork('faults'));
  const runDir = await createRunDir(options.outDir ?? 'runs', scenario.name);
  const runId = `${basename(runDir)}-${randomBytes(3).toString('hex')}`;
  return { options, transports, random, schedule, runDir, runId };
}

/** The run's history file, opened with what ran where and the schedule it will follow. */
/** The infrastructure the scenario asks for (`infra`, default single), unless env says cluster. */
function startInfraFor(scenario: Scenario, log?: (line: string) => void): Promise<Infra> {
  const config = loadConfig();
  const topology = scenario.infra ?? config.infra.topology;
  return startInfra({ ...config, infra: { ...config.infra, topology } }, log);
}

function openHistory(plan: RunPlan, infra: Infra, clock: RunClock): HistoryWriter {
  const history = createHistoryWriter(`${plan.runDir}/history.ndjson`);
  history.append({
    type: 'meta',
    scenario: plan.options.scenario.name,
    seed: plan.options.seed,
    transports: [...plan.transports],
    ...clock.now(),
    detail: { provider: infra.provider, versions: infra.versions, schedule: plan.schedule },
  });
  return history;
}

function mark(run: ScenarioRun, phase: RunPhase): void {
  run.history.append({ type: 'phase', phase, ...run.clock.now() });
}

function enterPhase(run: ScenarioRun, phase: RunPhase): void {
  run.phase = phase;
  mark(run, phase);
}

/** About once a second, what the run is doing, once the load has begun. */
function reportProgress(run: ScenarioRun): ReturnType<typeof setInterval> {
  const { options, system, clock, transports } = run;
  return setInterval(() => {
    const load = run.generator?.progress();
    if (!options.onProgress || !load) return;
    void processedCounts(system.sink, transports).then((processed) =>
      options.onProgress?.({
        phase: run.phase,
        elapsedS: clock.now().time / 1000,
        load,
        processed,
        activeFaults: system.faults.active(),
      }),
    );
  }, 1000);
}

/**
 * The producer, and the pools unless the scenario starts them late, side by side: neither
 * needs the other (each creates the topic, stream or queue it lacks).
 */
async function setUp(run: ScenarioRun): Promise<void> {
  enterPhase(run, 'setup');
  const poolsNow = (run.options.scenario.workers.startAfterSec ?? 0) === 0;
  await Promise.all([run.system.producer.start(), poolsNow ? run.system.startPools() : undefined]);
}

/** The load with the fault schedule running alongside; late pools start meanwhile. */
async function driveLoad(run: ScenarioRun): Promise<void> {
  const { options, system, clock } = run;
  const { scenario, seed } = options;
  enterPhase(run, 'load');
  run.sampler = startRunSampler({
    ...system,
    transports: run.transports,
    history: run.history,
    clock,
  });
  const loadStartMs = clock.now().time;
  const client = createClient({ producerUrl: system.producer.url });
  run.generator = createGenerator({
    client,
    history: run.history,
    clock,
    random: run.random.fork('load'),
    seed,
    transports: run.transports,
    messages: scenario.load.messages,
    ratePerSec: scenario.load.ratePerSec,
    concurrency: scenario.load.concurrency,
    batchSize: scenario.load.batchSize,
    poisonFraction: scenario.load.poisonFraction ?? 0,
    payloadBytes: scenario.load.payloadBytes ?? 64,
    ...(scenario.load.durationSec !== undefined ? { durationSec: scenario.load.durationSec } : {}),
    ...(scenario.load.keys !== undefined ? { keys: scenario.load.keys } : {}),
    ...(scenario.load.sequential !== undefined ? { sequential: scenario.load.sequential } : {}),
  });
  const loadDone = run.generator.run();
  // Late pools: the backlog builds before any consumer group exists.
  const startAfterSec = scenario.workers.startAfterSec ?? 0;
  const poolsUp =
    startAfterSec > 0 ? sleep(startAfterSec * 1000).then(system.startPools) : undefined;
  // Observed now, rethrown below: a late pool failing to start must not crash the harness.
  poolsUp?.catch(() => undefined);
  await system.faults.run(run.schedule, loadStartMs);
  await loadDone;
  await poolsUp;
}

/**
 * Reads the inputs and the history (streamed from its file: a long run never holds it in
 * memory), asks the brokers where any lost event went, and checks.
 */
async function checkRun(run: ScenarioRun) {
  const { options, system, history, runDir, transports } = run;
  const { scenario } = options;
  const inputs = await gatherCheckInputs(transports, system.config, system.sink);
  history.flush();
  const digest = await digestHistoryFile(`${runDir}/history.ndjson`);
  const located = await locateLost(
    transports,
    system.config,
    digest.index,
    inputs.sink,
    system.received,
  );
  const limits = {
    ...(scenario.maxUnavailableMs !== undefined
      ? { maxUnavailableMs: scenario.maxUnavailableMs }
      : {}),
    ...(scenario.maxRecoveryMs !== undefined ? { maxRecoveryMs: scenario.maxRecoveryMs } : {}),
  };
  const result = check({
    history: [],
    index: digest.index,
    transports,
    ...inputs,
    inputErrors: [...inputs.inputErrors, ...located.errors],
    lostLocations: located.locations,
    limits,
    zombieFaults: zombieFaultLabels(scenario.allowsZombies),
  });
  return { inputs, digest, result };
}

/** Checks the history and the expectations, and writes the report. */
async function checkAndReport(run: ScenarioRun): Promise<RunOutcome> {
  const { options, clock, history, runDir, infra, transports } = run;
  const { scenario, seed } = options;
  const { inputs, digest, result } = await checkRun(run);
  const expectations = withHealedState(
    checkExpectations(scenario.expectations, observeSignals(digest.others, result)),
    infra.topology === 'cluster' ? await awaitWholeCluster(infra) : [],
  );
  mark(run, 'done');
  history.close();
  const valid = result.valid === true ? expectations.met : result.valid;
  const written = await writeReport(runDir, {
    scenario: scenario.name,
    seed,
    startedAt: clock.startWall,
    result,
    expectations,
    digest,
    sink: inputs.sink,
    poolLogs: transports.map((t) => ({ transport: t, path: poolLogPath(runDir, t) })),
    meta: {
      valid,
      provider: infra.provider,
      versions: infra.versions,
      schedule: run.schedule,
      transports,
      load: scenario.load,
      workers: scenario.workers.size,
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
    schedule: run.schedule,
  };
}

/** A cluster not whole after the heal and the drain fails the run, saying what is missing. */
function withHealedState(e: ExpectationResult, problems: readonly string[]): ExpectationResult {
  if (problems.length === 0) return e;
  return {
    ...e,
    met: false,
    failures: [...e.failures, ...problems.map((p) => `healed state: ${p}`)],
  };
}

/** Rejects what would waste a run, before a run folder exists: each message names the field. */
function checkRunOptions({ scenario, seed, failpoints = [], infra }: RunOptions): void {
  if (infra && scenario.infra !== undefined && infra.topology !== scenario.infra) {
    throw new ConfigError(
      `scenario ${scenario.name} needs the ${scenario.infra} topology; the infrastructure given is ${infra.topology}`,
    );
  }
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
