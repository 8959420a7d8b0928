/**
 * `--repeat N` and `--shrink` of `npm run scenario`: several runs of one scenario, printed
 * as they go; the runs themselves are `runOne` (the CLI's run-and-print).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TRANSPORTS, type TransportName } from '../../lib/envelope.ts';
import { randomSeed } from '../random.ts';
import { repeatRuns } from '../repeat.ts';
import { runDirName } from '../report.ts';
import type { RunOutcome } from '../run-scenario.ts';
import type { Scenario } from '../scenario.ts';
import { shrinkFailure, type TrialOutcome } from '../shrink.ts';
import type { ScenarioArgs } from './scenario-args.ts';

export type RunOne = (
  args: ScenarioArgs,
  scenario: Scenario,
  seed: string,
  quiet?: boolean,
) => Promise<RunOutcome>;

/** The command that replays one run: the scenario (name or file), the seed and the flags
 * that shaped it. */
export function replayCommand(args: ScenarioArgs, seed: string): string {
  const flags: [string, unknown][] = [
    ['file', args.file],
    ['messages', args.messages],
    ['rate', args.rate],
    ['duration', args.durationSec],
    ['transports', args.transports?.join(',')],
    ['workers', args.workers],
    ['concurrency', args.concurrency],
    ['kafka-client', args.env?.KAFKA_CLIENT],
    ['topology', args.topology],
    ['failpoints', args.failpoints.length > 0 ? args.failpoints.join(',') : undefined],
  ];
  const shown = flags.filter(([, v]) => v !== undefined).map(([k, v]) => ` --${k} ${String(v)}`);
  const name = args.file !== undefined ? '' : ` ${args.scenario ?? ''}`;
  return `npm run scenario${name} -- --seed ${seed}${shown.join('')}`;
}

/** Fresh seeds per run: random, or `<seed>.<n>` from `--seed` so the series itself replays. */
function seedOf(args: ScenarioArgs, run: number): string {
  return args.seed === undefined ? randomSeed() : `${args.seed}.${run + 1}`.slice(-32);
}

export async function repeatScenario(
  args: ScenarioArgs,
  scenario: Scenario,
  runOne: RunOne,
): Promise<number> {
  const times = args.repeat ?? 1;
  const r = await repeatRuns({
    times,
    seed: (i) => seedOf(args, i),
    run: (seed, i) => {
      console.error(`repeat: run ${i + 1} of ${times}, seed ${seed}`);
      return runOne(args, scenario, seed);
    },
  });
  if (!r.failed) {
    console.log(`repeat: all ${times} runs valid`);
    return 0;
  }
  const { seed, outcome } = r.failed;
  console.log(
    `repeat: run ${r.runs} of ${times} was not valid (${String(outcome.valid)}), seed ${seed}`,
  );
  console.log(`replay: ${replayCommand(args, seed)}`);
  console.log(`shrink: ${replayCommand(args, seed)} --shrink`);
  return 1;
}

const trialOf = (o: RunOutcome): TrialOutcome => ({
  valid: o.valid,
  anomalies: o.result.anomalies,
  failing: (Object.keys(o.result.perTransport) as TransportName[]).filter(
    (t) => o.result.perTransport[t]?.valid !== true,
  ),
});

const describe = (s: Scenario) =>
  `${s.schedule.length} fault(s), ${s.load.messages} events per transport on ${(s.transports ?? []).join(',') || 'all'}`;

export async function shrinkScenario(
  args: ScenarioArgs,
  scenario: Scenario,
  runOne: RunOne,
): Promise<number> {
  const seed = args.seed ?? randomSeed();
  const first = await runOne(args, scenario, seed);
  if (first.valid === true) {
    console.log(
      `shrink: seed ${seed} is valid: nothing to shrink (find a failing one with --repeat)`,
    );
    return 0;
  }
  const original = trialOf(first);
  console.error(
    `shrink: seed ${seed} fails (${original.anomalies.join(', ') || 'expectations'}); shrinking`,
  );
  const result = await shrinkFailure({
    scenario: { ...scenario, transports: scenario.transports ?? TRANSPORTS },
    schedule: first.schedule,
    original,
    run: async (candidate) => trialOf(await runOne(args, candidate, seed, true)),
    onTrial: ({ run, candidate, outcome, kept }) =>
      console.error(
        `shrink run ${run}: ${describe(candidate)} -> ${outcome.valid === false ? `fails (${outcome.anomalies.join(', ') || 'expectations'})` : `valid ${String(outcome.valid)}`}${kept ? ', kept' : ''}`,
      ),
  });
  await mkdir(args.outDir, { recursive: true });
  const path = join(args.outDir, `${runDirName(result.scenario.name)}.json`);
  const data = JSON.stringify(result.scenario, null, 2);
  await writeFile(path, `${data}\n`);
  console.log(
    `shrink: smallest failing run after ${result.runs} runs: ${describe(result.scenario)}`,
  );
  console.log(data);
  console.log(`saved: ${path}`);
  console.log(
    `rerun: npm run scenario -- --file ${path} --seed ${seed}${args.failpoints.length > 0 ? ` --failpoints ${args.failpoints.join(',')}` : ''}`,
  );
  return 1;
}
