/**
 * `npm run bench [-- --quick] [--json] [--transports kafka,redis,bullmq] [--tracing-cost |
 * --cluster]`: starts the local infrastructure (the cluster topology on --cluster),
 * measures, prints the tables (stdout) and writes bench/results/<timestamp>.json. Progress
 * goes to stderr.
 */
import { join } from 'node:path';
import { errorMessage } from '../lib/errors.ts';
import { configureLogging } from '../lib/log.ts';
import { REPO_ROOT } from '../harness/infra/paths.ts';
import { BenchArgsError, parseBenchArgs, USAGE } from './args.ts';
import { progress } from './progress.ts';
import { writeResults } from './results.ts';
import { runBench } from './run-bench.ts';
import { formatTables } from './table.ts';

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseBenchArgs(argv);
  } catch (err) {
    if (!(err instanceof BenchArgsError)) throw err;
    console.error(`bench: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  // The bench's own library clients (kafkajs admin, cleanup) would log JSON into the
  // table on stdout; their failures surface as errors instead. Children log to files.
  configureLogging('silent');
  const resultsDir = join(REPO_ROOT, 'bench', 'results');
  const result = await runBench({
    quick: args.quick,
    transports: args.transports,
    tracingCost: args.tracingCost,
    cluster: args.cluster,
    resultsDir,
  });
  const file = await writeResults(resultsDir, result);
  console.log(formatTables(result));
  progress(`results written to ${file}`);
  if (args.json) console.log(JSON.stringify(result));
  return result.errors.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench failed: ${errorMessage(err)}`);
    process.exit(1);
  },
);
