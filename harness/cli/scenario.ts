/**
 * `npm run scenario <name> [-- flags]` or `npm run scenario -- --file F`: run one scenario on
 * real infrastructure and prove the pipeline kept its guarantees. Exit 0 when valid, 1 when
 * not, 2 on bad usage (a bad flag, setting or scenario file).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadConfig } from '../../lib/config.ts';
import { AppError, ConfigError, errorMessage } from '../../lib/errors.ts';
import { SCENARIOS, SCENARIO_NAMES, getScenario } from '../../scenarios/index.ts';
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
      for (const s of SCENARIOS) console.log(`${s.name.padEnd(width)}  ${s.description}`);
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
  const seed = args.seed ?? randomSeed();
  loadConfig(); // fail fast, naming the bad variable, before anything starts
  const replay = replayCommand(args, scenario, seed);
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
    const xml = junitReport(run);
    await mkdir(dirname(args.junit), { recursive: true });
    await writeFile(args.junit, xml);
  }
  printOutcome(args, scenario, seed, started, outcome);
  return outcome.valid === true ? 0 : 1;
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

/** The command that repeats this run: same scenario (name or file), overrides and seed. */
function replayCommand(args: ScenarioArgs, scenario: Scenario, seed: string): string {
  const flags = [
    ...(args.file !== undefined ? ['--file', args.file] : []),
    ...(args.messages !== undefined ? ['--messages', String(args.messages)] : []),
    ...(args.rate !== undefined ? ['--rate', String(args.rate)] : []),
    ...(args.durationSec !== undefined ? ['--duration', String(args.durationSec)] : []),
    ...(args.transports ? ['--transports', args.transports.join(',')] : []),
    ...(args.workers !== undefined ? ['--workers', String(args.workers)] : []),
    '--seed',
    seed,
    ...(args.failpoints.length > 0 ? ['--failpoints', args.failpoints.join(',')] : []),
    ...(args.topology !== undefined ? ['--topology', args.topology] : []),
  ];
  const name = args.file !== undefined ? '' : ` ${scenario.name}`;
  return `npm run scenario${name} -- ${flags.join(' ')}`;
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
