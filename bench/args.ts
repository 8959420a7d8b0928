import { describeFlagProblem, parseFlags } from '../lib/cli-flags.ts';
import { TRANSPORTS, parseTransportList, type TransportName } from '../lib/envelope.ts';
import { AppError } from '../lib/errors.ts';
import { driverFor } from '../lib/transports/registry.ts';

export interface BenchArgs {
  /** Small sizes and short runs: the whole bench in under two minutes. */
  quick: boolean;
  /** Print the result object as the last stdout line. */
  json: boolean;
  transports: TransportName[];
  /** Measure only what tracing costs (ingest and drain, tracing off against on). */
  tracingCost: boolean;
  /** Measure only Kafka ingest, on the cluster topology (3 nodes, RF 3, acks=all). */
  cluster: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench [-- --quick] [--json] [--transports kafka,redis,bullmq]
                 [--tracing-cost | --cluster]
  --quick        small backlogs and 2 s load runs (under two minutes)
  --json         print the result object as the last stdout line
  --transports   comma list of transports to measure (default all three);
                 --transports a,b or --transports=a,b
  --tracing-cost only the tracing cost: ingest and drain with tracing off, then
                 on (OTLP/HTTP to a receiver in the bench process)
  --cluster      only Kafka ingest, on the cluster topology (3 KRaft nodes, RF 3,
                 min ISR 2): the producer against the raw client, both acks=all
  -h, --help     this text
Progress goes to stderr; results to bench/results/<timestamp>.json.`;

/** Bad command line (exit 2). */
export class BenchArgsError extends AppError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

const SPECS = {
  quick: { type: 'boolean' },
  json: { type: 'boolean' },
  transports: { type: 'string' },
  'tracing-cost': { type: 'boolean' },
  cluster: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The raw baseline waits for replicas as the producer does, so --cluster compares like with like. */
const onCluster = (t: TransportName) => driverFor(t).features.rawPublishWaitsForReplicas;

/** Pure: throws BenchArgsError naming the bad argument. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const parsed = parseFlags(argv, SPECS);
  if (!parsed.ok) throw new BenchArgsError(describeFlagProblem(parsed.problem));
  const { values } = parsed;
  const args: BenchArgs = {
    quick: values.has('quick'),
    json: values.has('json'),
    transports: [...TRANSPORTS],
    tracingCost: values.has('tracing-cost'),
    cluster: values.has('cluster'),
    help: values.has('help'),
  };
  if (args.cluster && args.tracingCost)
    throw new BenchArgsError('--cluster and --tracing-cost measure apart: give one of them');
  if (args.cluster) args.transports = args.transports.filter(onCluster);
  const list = values.get('transports');
  if (typeof list === 'string') {
    const transports = parseTransportList(list);
    if ('invalid' in transports) {
      throw new BenchArgsError(`--transports takes ${TRANSPORTS.join(', ')}; got "${list}"`);
    }
    const refused = transports.transports.filter((t) => !onCluster(t));
    if (args.cluster && refused.length > 0) {
      throw new BenchArgsError(
        `--cluster measures only transports whose raw client waits for replicas too; not ${refused.join(', ')}`,
      );
    }
    args.transports = transports.transports;
  }
  return args;
}
