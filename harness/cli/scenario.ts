/**
 * `npm run scenario <name> [-- flags]` or `npm run scenario -- --file F`: run one scenario on
 * real infrastructure and prove the pipeline kept its guarantees. Exit 0 when valid, 1 when
 * not, 2 on bad usage (a bad flag, setting or scenario file).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadConfig } from '../../lib/config.ts';
import { AppError, ConfigError, errorMessage } from '../../lib/errors.ts';
import { ALL_SCENARIOS, SCENARIO_NAMES, getScenario } from '../../scenarios/index.ts';
import { junitReport } from '../junit-report.ts';
import { createProgress, type ProgressSnapshot } from '../progress.ts';
import { randomSeed } from '../random.ts';
import { resultDocument } from '../report.ts';
import { runScenario, type RunOutcome, type RunProgress } from '../run-scenario.ts';
import type { Scenario } from '../scenario.ts';
import { dumpScenario, loadScenarioFile, ScenarioFileError } from '../scenario-file.ts';
import { applyOverrides } from '../scenario-overrides.ts';
import { formatSummary } from '../summary-table.ts';
import { parseScenarioArgs, type ScenarioArgs } from './scenario-args.ts';
import { repeatScenario, replayCommand, shrinkScenario } from './scenario-repeat.ts';

async function main(argv: string[]): Promise<number> {
  const parsed = parseScenarioArgs(argv, SCENARIO_NAMES);
  switch (parsed.kind) {
    case 'error':
      console.error(parsed.message);
      return parsed.exitCode;
    case 'help':
      console.log(parsed.text);
      return 0;
    case 'list': {
      const width = Math.max(...SCENARIO_NAMES.map((n) => n.length));
      for (const s of ALL_SCENARIOS) console.log(`${s.name.padEnd(width)}  ${s.description}`);
      return 0;
    }
    case 'dump':
      process.stdout.write(dumpScenario(getScenario(parsed.scenario) as Scenario));
      return 0;
    case 'run':
      return run(parsed.args);
  }
}

/** The scenario named, or read from its file (validated there, naming each bad field). */
async function chosenScenario(args: ScenarioArgs): Promise<Scenario> {
  if (args.file !== undefined) return loadScenarioFile(args.file);
  const found = getScenario(args.scenario ?? '');
  if (!found) throw new Error(`unknown scenario ${args.scenario}`); // parse already checked
  return found;
}

async function run(args: ScenarioArgs): Promise<number> {
  const chosen = applyOverrides(await chosenScenario(args), args);
  const scenario = args.topology ? { ...chosen, infra: args.topology } : chosen;
  loadConfig(); // fail fast, naming the bad variable, before anything starts
  // Repeat and shrink: many runs of the one below.
  if (args.repeat !== undefined) return repeatScenario(args, scenario, runAndPrint);
  if (args.shrink) return shrinkScenario(args, scenario, runAndPrint);
  const outcome = await runAndPrint(args, scenario, args.seed ?? randomSeed());
  return outcome.valid === true ? 0 : 1;
}

/** One run with its progress line, then its summary (or result.json with --json). */
async function runAndPrint(
  args: ScenarioArgs,
  scenario: Scenario,
  seed: string,
  quiet = false,
): Promise<RunOutcome> {
  const replay = replayCommand(args, seed);
  console.error(`scenario ${scenario.name} (seed ${seed}; repeat with: ${replay})`);
  console.error(`  ${scenario.description}`);

  let latest: RunProgress | undefined;
  const started = Date.now();
  const progress = createProgress({ snapshot: () => toSnapshot(latest, started) });
  const outcome = await runScenario({
    scenario,
    seed,
    failpoints: args.failpoints,
    outDir: args.outDir,
    log: (line) => console.error(line),
    onProgress: (p) => {
      if (!latest) progress.start();
      latest = p;
    },
  }).finally(() => progress.stop());

  if (args.junit !== undefined) {
    const { result, expectations, wallS, runDir } = outcome;
    const run = { scenario, seed, startedAt: started, replay, result, expectations, wallS, runDir };
    await mkdir(dirname(args.junit), { recursive: true });
    await writeFile(args.junit, junitReport(run));
  }
  if (quiet) console.error(`  ${outcome.runDir}: valid ${String(outcome.valid)}`);
  else printOutcome(args, scenario, seed, started, outcome);
  return outcome;
}

function printOutcome(
  args: ScenarioArgs,
  scenario: Scenario,
  seed: string,
  started: number,
  outcome: RunOutcome,
): void {
  if (args.json) {
    const doc = resultDocument({
      scenario: scenario.name,
      seed,
      startedAt: started,
      result: outcome.result,
      expectations: outcome.expectations,
      history: [],
      sink: {},
    });
    console.log(JSON.stringify({ ...doc, valid: outcome.valid, runDir: outcome.runDir }));
    return;
  }
  console.log(formatSummary(outcome.result, outcome.expectations));
  console.log(`run folder: ${outcome.runDir}`);
  console.log(`report:     ${outcome.htmlPath}`);
  if (args.junit !== undefined) console.log(`junit:      ${args.junit}`);
  console.log(`valid: ${String(outcome.valid)} (${outcome.wallS.toFixed(1)} s)`);
}

function toSnapshot(p: RunProgress | undefined, started: number): ProgressSnapshot {
  const sum = (key: 'sent' | 'acked' | 'failed' | 'info') =>
    Object.values(p?.load ?? {}).reduce((n, t) => n + t[key], 0);
  return {
    phase: p?.phase ?? 'setup',
    elapsedMs: Date.now() - started,
    sent: sum('sent'),
    acked: sum('acked'),
    failed: sum('failed'),
    info: sum('info'),
    processed: Object.values(p?.processed ?? {}).reduce((n, v) => n + (v ?? 0), 0),
    faults: p?.activeFaults ?? [],
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A bad setting or scenario file is bad usage (2); anything else is a failed run (1).
    if (err instanceof ConfigError) {
      const file = err instanceof ScenarioFileError;
      console.error(file ? err.message : `configuration error: ${err.message}`);
      process.exit(2);
    }
    console.error(`scenario failed: ${err instanceof AppError ? err.message : errorMessage(err)}`);
    process.exit(1);
  },
);
