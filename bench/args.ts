import { TRANSPORTS, parseTransportList, type TransportName } from '../lib/envelope.ts';

export interface BenchArgs {
  /** Small sizes and short runs: the whole bench in under two minutes. */
  quick: boolean;
  /** Print the result object as the last stdout line. */
  json: boolean;
  transports: TransportName[];
  help: boolean;
}

export const USAGE = `usage: npm run bench [-- --quick] [--json] [--transports kafka,redis,bullmq]
  --quick        small backlogs and 3 s load runs (under two minutes)
  --json         print the result object as the last stdout line
  --transports   comma list of transports to measure (default all three)
Progress goes to stderr; results to bench/results/<timestamp>.json.`;

export class BenchArgsError extends Error {}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { quick: false, json: false, transports: [...TRANSPORTS], help: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    if (flag === '--quick') args.quick = true;
    else if (flag === '--json') args.json = true;
    else if (flag === '--help' || flag === '-h') args.help = true;
    else if (flag === '--transports') {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new BenchArgsError('--transports needs a value');
      const parsed = parseTransportList(value);
      if ('invalid' in parsed) {
        throw new BenchArgsError(`--transports takes kafka, redis, bullmq; got "${value}"`);
      }
      args.transports = parsed.transports;
    } else throw new BenchArgsError(`unknown argument ${arg}`);
  }
  return args;
}
