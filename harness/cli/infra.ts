/**
 * `npm run infra`: start the embedded infrastructure in the foreground and print how to
 * reach it; Ctrl-C stops it. `npm run infra -- --check`: start, round-trip through every
 * proxied link, stop, and print one `infra ok: ...` line. `-h`/`--help`: usage.
 */
import { loadConfig } from '../../lib/config.ts';
import { AppError, errorMessage } from '../../lib/errors.ts';
import { endpointsToEnv, startInfra, type Infra } from '../infra/index.ts';
import { checkAllLinks } from '../infra/round-trip.ts';
import { parseInfraArgs } from './infra-args.ts';

async function main(argv: string[]): Promise<number> {
  const args = parseInfraArgs(argv);
  if (args.kind === 'error') {
    console.error(args.message);
    return args.exitCode;
  }
  if (args.kind === 'help') {
    console.log(args.text);
    return 0;
  }
  const { check } = args;
  const config = loadConfig();
  const started = Date.now();
  const log = (line: string) => console.error(line);
  log(
    config.infra.topology === 'cluster'
      ? 'infra: starting 3 Kafka nodes, Redis primary + replica + 3 Sentinels, sink Redis, Toxiproxy ...'
      : 'infra: starting Kafka, Redis (broker and sink) and Toxiproxy ...',
  );
  const infra = await startInfra(config, log);
  const coldStartS = ((Date.now() - started) / 1000).toFixed(1);
  const stop = async () => {
    log('infra: stopping ...');
    await infra.stop();
  };

  if (check) {
    try {
      const links = await checkAllLinks(infra.endpoints);
      for (const [link, ms] of Object.entries(links)) log(`  round trip via ${link}: ${ms} ms`);
    } finally {
      await stop();
    }
    const v = infra.versions;
    console.log(
      `infra ok: kafka ${v.kafka}, redis ${v.redis}, toxiproxy ${v.toxiproxy}, cold start ${coldStartS} s`,
    );
    return 0;
  }

  printEndpoints(infra, coldStartS);
  console.log('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
  return 0;
}

/** Where everything listens, then the NAME=value lines for the producer and the workers. */
function printEndpoints(infra: Infra, coldStartS: string): void {
  const e = infra.endpoints;
  console.log(`infra (${infra.provider}, ${infra.topology}) ready in ${coldStartS} s`);
  console.log(
    `  kafka      direct ${e.kafka.direct}   producer ${e.kafka.producer}   workers ${e.kafka.workers}`,
  );
  console.log(
    `  redis      direct ${e.redis.direct}   producer ${e.redis.producer}   workers ${e.redis.workers}`,
  );
  if (e.redis.sentinel) {
    console.log(
      `  sentinel   ${e.redis.sentinel.sentinels.join(',')}   primary name ${e.redis.sentinel.name}`,
    );
  }
  console.log(`  sink redis direct ${e.sink.direct}   workers ${e.sink.workers}`);
  console.log(`  toxiproxy  ${e.toxiproxy.url}`);
  console.log('Environment for the producer, the workers and the external provider:');
  for (const [name, value] of Object.entries(endpointsToEnv(e))) console.log(`${name}=${value}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`infra failed: ${err instanceof AppError ? err.message : errorMessage(err)}`);
    process.exit(1);
  },
);
