import { TRANSPORTS, parseTransportList, type TransportName } from '../../lib/envelope.ts';
import { commaList } from '../../lib/comma-list.ts';
import { SEED_PATTERN } from '../random.ts';

/**
 * Arguments of `npm run scenario <name> [-- flags]`. Parsing is pure and returns a typed
 * result; the caller prints and exits (2 for usage errors, as most CLIs do).
 */
export interface ScenarioArgs {
  scenario: string;
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
}

export type ParsedScenarioArgs =
  | { kind: 'run'; args: ScenarioArgs }
  | { kind: 'list' }
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
  list: { kind: 'bool', doc: 'list the scenarios' },
  help: { kind: 'bool', doc: 'this text' },
};

const FAILPOINT_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

export function scenarioUsage(scenarios: readonly string[]): string {
  const flags = Object.entries(FLAGS).map(([name, f]) => {
    const arg = f.kind === 'bool' ? '' : f.kind === 'list' ? ' a,b' : ' X';
    return `  --${`${name}${arg}`.padEnd(16)} ${f.doc}`;
  });
  return [
    'usage: npm run scenario <name> [-- --messages N --rate R --duration S --transports kafka,redis',
    '       --workers N --seed S --out DIR --json --failpoints a,b]',
    '       npm run scenario -- --list',
    '',
    ...flags,
    '',
    `scenarios: ${scenarios.join(', ')}`,
  ].join('\n');
}

const error = (message: string): ParsedScenarioArgs => ({ kind: 'error', message, exitCode: 2 });

export function parseScenarioArgs(
  argv: readonly string[],
  scenarios: readonly string[],
): ParsedScenarioArgs {
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') continue;
    if (arg === '-h') {
      values.set('help', true);
      continue;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1) {
        return error(
          `unknown flag "${arg}"; valid flags: ${Object.keys(FLAGS)
            .map((f) => `--${f}`)
            .join(', ')}`,
        );
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const flag = FLAGS[name];
    if (!flag) {
      return error(
        `unknown flag "--${name}"; valid flags: ${Object.keys(FLAGS)
          .map((f) => `--${f}`)
          .join(', ')}`,
      );
    }
    if (flag.kind === 'bool') {
      if (eq !== -1) return error(`flag --${name} takes no value`);
      values.set(name, true);
      continue;
    }
    let value: string | undefined = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('--'))) {
      return error(`flag --${name} needs a value (${flag.doc})`);
    }
    value = value.trim();
    values.set(name, value);
  }

  if (values.has('help')) return { kind: 'help', text: scenarioUsage(scenarios) };
  if (values.has('list')) return { kind: 'list' };
  if (positionals.length === 0) {
    return error(`name a scenario; valid scenarios: ${scenarios.join(', ')}`);
  }
  if (positionals.length > 1) {
    return error(`one scenario at a time, got ${positionals.join(', ')}`);
  }
  const scenario = positionals[0] ?? '';
  if (!scenarios.includes(scenario)) {
    return error(`unknown scenario "${scenario}"; valid scenarios: ${scenarios.join(', ')}`);
  }

  const args: ScenarioArgs = {
    scenario,
    outDir: 'runs',
    json: values.has('json'),
    failpoints: [],
  };
  for (const [name, raw] of values) {
    if (raw === true) continue;
    const parsed = parseValue(name, raw);
    if (typeof parsed === 'object' && 'error' in parsed) return error(parsed.error);
    switch (name) {
      case 'messages':
        args.messages = parsed as number;
        break;
      case 'rate':
        args.rate = parsed as number;
        break;
      case 'duration':
        args.durationSec = parsed as number;
        break;
      case 'workers':
        args.workers = parsed as number;
        break;
      case 'seed':
        args.seed = parsed as string;
        break;
      case 'out':
        args.outDir = parsed as string;
        break;
      case 'transports':
        args.transports = parsed as TransportName[];
        break;
      case 'failpoints':
        args.failpoints = parsed as string[];
        break;
    }
  }
  return { kind: 'run', args };
}

function parseValue(name: string, raw: string): number | string | string[] | { error: string } {
  switch (name) {
    case 'messages':
    case 'workers': {
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
    case 'failpoints': {
      const items = commaList(raw);
      const bad = items.find((f) => !FAILPOINT_PATTERN.test(f));
      return bad === undefined
        ? items
        : { error: `--failpoints: "${bad}" is not a failpoint name` };
    }
    case 'seed':
      return SEED_PATTERN.test(raw)
        ? raw
        : { error: `--seed must be 1-32 letters, digits, ".", "_" or "-", got "${raw}"` };
    default:
      return raw === '' ? { error: `--${name} must not be empty` } : raw;
  }
}
