import { TRANSPORTS, parseTransportList, type TransportName } from '../../lib/envelope.ts';
import { commaList } from '../../lib/comma-list.ts';
import { parseFlags, type FlagProblem, type FlagSpec } from '../../lib/cli-flags.ts';
import { TOPOLOGIES, type Topology } from '../infra/types.ts';
import { SEED_PATTERN } from '../random.ts';
// --kafka-client: the values KAFKA_CLIENT takes.
import { KAFKA_CLIENTS } from '../../lib/transports/kafka/options.ts';

/**
 * Arguments of `npm run scenario <name> [-- flags]` and `npm run scenario -- --file F`.
 * Parsing is pure and returns a typed result; the caller prints and exits (2 for usage
 * errors, as most CLIs do).
 */
export interface ScenarioArgs {
  /** A scenario of the catalogue; unset when `file` names the scenario instead. */
  scenario?: string;
  /** A scenario file (YAML, or JSON by its `.json` extension). */
  file?: string;
  /** Where to write a JUnit XML report of the run (one testcase per transport). */
  junit?: string;
  /** Overrides of the scenario's load (per transport). */
  messages?: number;
  rate?: number;
  durationSec?: number;
  transports?: TransportName[];
  /** Workers per pool. */
  workers?: number;
  seed?: string;
  /** Root of the run folders (default `runs`). */
  outDir: string;
  /** Print result.json to stdout instead of the table. */
  json: boolean;
  failpoints: string[];
  // Soak, repeat and shrink (issue 12).
  /** Requests in flight per transport (the load's concurrency). */
  concurrency?: number;
  /** Run up to this many times with fresh seeds; stop at the first run that is not valid. */
  repeat?: number;
  /** Minimise a failing seeded run: fewer faults, a shorter load, while it still fails. */
  shrink?: true;
  // --kafka-client
  /** Extra environment for every service of the run and for the harness' own reads. */
  env?: Record<string, string>;
  /** Overrides the scenario's `infra`. */
  topology?: Topology;
}

export type ParsedScenarioArgs =
  | { kind: 'run'; args: ScenarioArgs }
  | { kind: 'list' }
  | { kind: 'dump'; scenario: string }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string; exitCode: 2 };

type FlagKind = 'int' | 'number' | 'text' | 'list' | 'bool';
const FLAGS: Record<string, { kind: FlagKind; doc: string }> = {
  messages: { kind: 'int', doc: 'events per transport' },
  rate: { kind: 'number', doc: 'events per second per transport' },
  duration: { kind: 'number', doc: 'longest load phase, seconds' },
  transports: { kind: 'list', doc: `comma list of ${TRANSPORTS.join(',')}` },
  workers: { kind: 'int', doc: 'workers per pool' },
  seed: { kind: 'text', doc: 'seed of load and faults (letters, digits, . _ -)' },
  out: { kind: 'text', doc: 'folder of the run folders (default runs)' },
  json: { kind: 'bool', doc: 'print result.json instead of the summary table' },
  failpoints: { kind: 'list', doc: 'comma list of failpoints to switch on' },
  topology: { kind: 'text', doc: `brokers: ${TOPOLOGIES.join(' or ')} (default: the scenario's)` },
  file: { kind: 'text', doc: 'run the scenario of a YAML or JSON file instead of a named one' },
  dump: { kind: 'text', doc: 'print a named scenario as YAML, to start a file from' },
  junit: { kind: 'text', doc: 'also write a JUnit XML report (a testcase per transport)' },
  // Soak, repeat and shrink (issue 12).
  concurrency: { kind: 'int', doc: 'requests in flight per transport' },
  repeat: { kind: 'int', doc: 'run up to N times with fresh seeds, stop at the first failure' },
  shrink: { kind: 'bool', doc: 'shrink a failing seeded run to its smallest failing schedule' },
  // Listing and help.
  // --kafka-client: sets KAFKA_CLIENT for the producer, the workers and the harness.
  'kafka-client': { kind: 'text', doc: `Kafka client: ${KAFKA_CLIENTS.join(' or ')}` },
  list: { kind: 'bool', doc: 'list the scenarios' },
  help: { kind: 'bool', doc: 'this text (also -h)' },
};

const FAILPOINT_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

export function scenarioUsage(scenarios: readonly string[]): string {
  const flags = Object.entries(FLAGS).map(([name, f]) => {
    const arg = f.kind === 'bool' ? '' : f.kind === 'list' ? ' a,b' : ' X';
    return `  --${`${name}${arg}`.padEnd(16)} ${f.doc}`;
  });
  return [
    'usage: npm run scenario <name> [-- --messages N --rate R --duration S --transports kafka,redis',
    '       --workers N --seed S --out DIR --json --failpoints a,b --junit FILE',
    '       --concurrency N --repeat N --shrink --kafka-client kafkajs|platformatic]',
    '       npm run scenario -- --file my-scenario.yaml [flags as above]',
    '       npm run scenario -- --dump <name> > my-scenario.yaml',
    '       npm run scenario -- --list',
    '       npm run scenario -- --help',
    '',
    'Flags take their value as --flag value or --flag=value; -h is --help.',
    '',
    ...flags,
    '',
    `scenarios: ${scenarios.join(', ')}`,
  ].join('\n');
}

const error = (message: string): ParsedScenarioArgs => ({ kind: 'error', message, exitCode: 2 });

const SPECS: Record<string, FlagSpec> = Object.fromEntries(
  Object.entries(FLAGS).map(([name, f]) => [
    name,
    { type: f.kind === 'bool' ? 'boolean' : 'string', ...(name === 'help' ? { short: 'h' } : {}) },
  ]),
);

function problemMessage(problem: FlagProblem): string {
  switch (problem.kind) {
    case 'unknown':
      return `unknown flag "${problem.flag}"; valid flags: ${Object.keys(FLAGS)
        .map((f) => `--${f}`)
        .join(', ')}`;
    case 'missing-value':
      return `flag ${problem.flag} needs a value (${FLAGS[problem.name]?.doc ?? ''})`;
    case 'unexpected-value':
      return `flag ${problem.flag} takes no value`;
    case 'positional':
      return `unexpected argument "${problem.value}"`; // positionals are allowed: not reached
  }
}

export function parseScenarioArgs(
  argv: readonly string[],
  scenarios: readonly string[],
): ParsedScenarioArgs {
  const parsed = parseFlags(argv, SPECS, { positionals: true });
  if (!parsed.ok) return error(problemMessage(parsed.problem));
  const { positionals } = parsed;
  const values = new Map(
    [...parsed.values].map(([name, v]) => [name, v === true ? v : v.trim()] as const),
  );

  if (values.has('help')) return { kind: 'help', text: scenarioUsage(scenarios) };
  if (values.has('list')) return { kind: 'list' };
  const dump = values.get('dump');
  if (typeof dump === 'string') {
    if (positionals.length > 0) return error('--dump takes the scenario name as its value');
    return scenarios.includes(dump)
      ? { kind: 'dump', scenario: dump }
      : error(`unknown scenario "${dump}" in --dump; valid scenarios: ${scenarios.join(', ')}`);
  }
  const source = scenarioSource(positionals, values.get('file'), scenarios);
  if ('error' in source) return error(source.error);

  const args: ScenarioArgs = {
    ...source,
    outDir: 'runs',
    json: values.has('json'),
    failpoints: [],
    ...(values.has('shrink') ? { shrink: true as const } : {}),
  };
  if (args.shrink && values.has('repeat')) return error('--shrink and --repeat: one at a time');
  for (const [name, raw] of values) {
    if (raw === true) continue;
    const value = parseValue(name, raw);
    if (typeof value === 'object' && 'error' in value) return error(value.error);
    assignValue(args, name, value);
  }
  return { kind: 'run', args };
}

/** The scenario to run: a catalogue name, or a file, exactly one of them. */
function scenarioSource(
  positionals: readonly string[],
  file: string | true | undefined,
  scenarios: readonly string[],
): { scenario: string } | { file: string } | { error: string } {
  if (typeof file === 'string') {
    if (positionals.length > 0) {
      return { error: `a scenario name or --file, not both (got ${positionals.join(', ')})` };
    }
    return file === '' ? { error: '--file must not be empty' } : { file };
  }
  if (positionals.length === 0) {
    return {
      error: `name a scenario or give --file FILE; valid scenarios: ${scenarios.join(', ')}`,
    };
  }
  if (positionals.length > 1)
    return { error: `one scenario at a time, got ${positionals.join(', ')}` };
  const scenario = positionals[0] ?? '';
  if (!scenarios.includes(scenario)) {
    return { error: `unknown scenario "${scenario}"; valid scenarios: ${scenarios.join(', ')}` };
  }
  return { scenario };
}

function assignValue(args: ScenarioArgs, name: string, value: number | string | string[]): void {
  switch (name) {
    case 'messages':
      args.messages = value as number;
      break;
    case 'rate':
      args.rate = value as number;
      break;
    case 'duration':
      args.durationSec = value as number;
      break;
    case 'workers':
      args.workers = value as number;
      break;
    case 'seed':
      args.seed = value as string;
      break;
    case 'out':
      args.outDir = value as string;
      break;
    case 'transports':
      args.transports = value as TransportName[];
      break;
    case 'failpoints':
      args.failpoints = value as string[];
      break;
    case 'junit':
      args.junit = value as string;
      break;
    // Soak, repeat and shrink (issue 12).
    case 'concurrency':
      args.concurrency = value as number;
      break;
    case 'repeat':
      args.repeat = value as number;
      break;
    // --kafka-client
    case 'kafka-client':
      args.env = { ...args.env, KAFKA_CLIENT: value as string };
      break;
    case 'topology':
      args.topology = value as Topology;
      break;
  }
}

function parseValue(name: string, raw: string): number | string | string[] | { error: string } {
  switch (name) {
    case 'messages':
    case 'workers':
    case 'concurrency':
    case 'repeat': {
      const n = Number(raw);
      return Number.isInteger(n) && n > 0
        ? n
        : { error: `--${name} must be a whole number above 0, got "${raw}"` };
    }
    case 'rate':
    case 'duration': {
      const n = Number(raw);
      return Number.isFinite(n) && n > 0
        ? n
        : { error: `--${name} must be a number above 0, got "${raw}"` };
    }
    case 'transports': {
      const parsed = parseTransportList(raw);
      if ('invalid' in parsed) {
        return {
          error: `unknown transport "${parsed.invalid}" in --transports; valid transports: ${TRANSPORTS.join(', ')}`,
        };
      }
      return parsed.transports;
    }
    case 'topology':
      return (TOPOLOGIES as readonly string[]).includes(raw)
        ? raw
        : { error: `--topology must be one of ${TOPOLOGIES.join(', ')}, got "${raw}"` };
    case 'failpoints': {
      const items = commaList(raw);
      const bad = items.find((f) => !FAILPOINT_PATTERN.test(f));
      return bad === undefined
        ? items
        : { error: `--failpoints: "${bad}" is not a failpoint name` };
    }
    // --kafka-client
    case 'kafka-client':
      return (KAFKA_CLIENTS as readonly string[]).includes(raw)
        ? raw
        : { error: `--kafka-client must be ${KAFKA_CLIENTS.join(' or ')}, got "${raw}"` };
    case 'seed':
      return SEED_PATTERN.test(raw)
        ? raw
        : { error: `--seed must be 1-32 letters, digits, ".", "_" or "-", got "${raw}"` };
    default:
      return raw === '' ? { error: `--${name} must not be empty` } : raw;
  }
}
