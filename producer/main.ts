/**
 * `npm run producer`: wires config, publishers and the HTTP app together, listens on
 * PRODUCER_HOST:PRODUCER_PORT and logs the URL. On SIGTERM/SIGINT it stops accepting,
 * answers every in-flight request after its publish settled, disconnects and exits 0.
 */
import { describeOptions, loadConfig } from '../lib/config.ts';
import { AppError, errorMessage } from '../lib/errors.ts';
import { enableFailpoints } from '../lib/failpoints.ts';
import { configureLogging, createLogger } from '../lib/log.ts';
import { startTracing } from '../lib/tracing/tracing.ts';
import { drivers } from '../lib/transports/registry.ts';
import { buildProducerApp } from './app.ts';
import { parseProducerArgs, USAGE } from './cli-args.ts';

const help = () =>
  `${USAGE}\n\nOptions (variable, default and unit, meaning):\n` +
  describeOptions()
    .map((line) => `  ${line}`)
    .join('\n');

async function main(): Promise<void> {
  // Help needs no configuration: print it even when the environment is incomplete.
  if (parseProducerArgs(process.argv.slice(2)).help) {
    console.log(help());
    return;
  }
  const config = loadConfig();
  configureLogging(config.logLevel);
  const logger = createLogger('producer');
  // Test-only bugs come from the environment alone; the HTTP API has no switch for them.
  enableFailpoints(config.failpoints, logger);
  const publishers = Object.fromEntries(
    drivers.map((d) => [
      d.name,
      d.createPublisher(config, { logger: logger.child({ transport: d.name }) }),
    ]),
  );
  // Off unless an OTLP endpoint is set; then every request and publish is traced.
  const tracing = await startTracing(config, 'producer');
  const app = buildProducerApp({ config, publishers, logger, tracing });

  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals) => {
    stopping ??= (async () => {
      logger.info({ signal }, 'stopping: no new requests, finishing in-flight publishes');
      const deadline = setTimeout(() => {
        logger.error({ timeoutMs: config.producer.shutdownTimeoutMs }, 'shutdown timed out');
        process.exit(1);
      }, config.producer.shutdownTimeoutMs);
      deadline.unref();
      // close() refuses new requests and resolves once every in-flight one was answered.
      await app.close();
      const results = await Promise.allSettled(Object.values(publishers).map((p) => p.close()));
      for (const r of results)
        if (r.status === 'rejected') logger.warn({ err: r.reason }, 'close failed');
      // The last spans (those of the requests just answered) are exported before exiting.
      await tracing.shutdown();
      clearTimeout(deadline);
      logger.info('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  await app.listen({ host: config.producer.host, port: config.producer.port });
  const address = app.server.address();
  const port =
    typeof address === 'object' && address !== null ? address.port : config.producer.port;
  const url = `http://${config.producer.host.includes(':') ? `[${config.producer.host}]` : config.producer.host}:${port}`;
  logger.info({ url }, `producer listening on ${url}`);
}

main().catch((err: unknown) => {
  // Config and startup errors are the user's to fix: one line, no stack.
  console.error(`producer: ${err instanceof AppError ? err.message : errorMessage(err)}`);
  const usage = err instanceof AppError && (err.code === 'CONFIG' || err.code === 'VALIDATION');
  if (usage && err.code === 'VALIDATION') console.error(`\n${USAGE}`);
  process.exit(usage ? 2 : 1);
});
