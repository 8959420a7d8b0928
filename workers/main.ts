import cluster from 'node:cluster';
import { describeOptions, loadConfig } from '../lib/config.ts';
import { AppError, errorMessage } from '../lib/errors.ts';
import { enableFailpoints } from '../lib/failpoints.ts';
import { configureLogging, createLogger } from '../lib/log.ts';
import { parseWorkersArgs, USAGE } from './cli-args.ts';
import { startControlServer } from './control-server.ts';
import { poolMetricsFor } from './pool-metrics.ts';
import { createSupervisor } from './supervisor.ts';
import { runWorker } from './worker.ts';

/**
 * `npm run workers -- --transport kafka|redis|bullmq --size N` (`--help`: usage). The same
 * file is the entry of the cluster primary and (forked by node:cluster) of every worker.
 */
async function main(): Promise<void> {
  if (cluster.isWorker) return runWorker();

  let args;
  let config;
  try {
    args = parseWorkersArgs(process.argv.slice(2));
    // Help needs no configuration: print it even when the environment is incomplete.
    if (args.help) {
      console.log(`${USAGE}\n\nOptions (variable, default and unit, meaning):`);
      console.log(
        describeOptions()
          .map((line) => `  ${line}`)
          .join('\n'),
      );
      return;
    }
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    console.error(`workers: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  configureLogging(config.logLevel);
  const log = createLogger('supervisor', { transport: args.transport });
  // The primary runs no failpoint, but its log is the one people read: warn there too.
  enableFailpoints(config.failpoints, log);
  const supervisor = createSupervisor({
    transport: args.transport,
    size: args.size,
    config,
    logger: log,
  });
  // Listening before the first fork, so that no worker's snapshot is missed.
  const metrics = poolMetricsFor(args.transport, config, () => supervisor.state(), log);
  supervisor.start();
  const control = await startControlServer(supervisor, config.workers.controlPort, metrics);
  log.info({ controlUrl: control.url, size: args.size }, 'workers started');

  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal forces the exit, unless it is the same keypress or group signal
    // arriving twice (process group plus direct delivery) a moment after the first.
    if (firstSignalAt > 0) {
      if (Date.now() - firstSignalAt < 500) return;
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    firstSignalAt = Date.now();
    log.info({ signal }, 'shutting down');
    // The supervisor bounds every worker's drain; this bounds the whole shutdown.
    const hardStop = setTimeout(() => process.exit(1), config.workers.drainTimeoutMs + 5000);
    hardStop.unref();
    void supervisor
      .stop()
      .then(() => control.close())
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((err: unknown) => {
  console.error(`workers: ${errorMessage(err)}`);
  process.exit(1);
});
