/**
 * Child entry of one raw baseline consumer (each driver's `raw.consumer`):
 * `tsx bench/raw-consumer-main.ts --transport kafka|redis|bullmq --id NAME` (`-h`: usage),
 * configured by the same environment as the worker pool; runs until SIGTERM/SIGINT.
 */
import { loadConfig } from '../lib/config.ts';
import { createSink } from '../lib/sink.ts';
import { createRedisClient } from '../lib/transports/redis-client.ts';
import { BenchArgsError } from './args.ts';
import { parseRawConsumerArgs, RAW_CONSUMER_USAGE } from './raw-consumer-args.ts';
import { driverFor } from '../lib/transports/registry.ts';

async function main(argv: string[]): Promise<void> {
  let args;
  try {
    args = parseRawConsumerArgs(argv);
  } catch (err) {
    if (!(err instanceof BenchArgsError)) throw err;
    console.error(`raw consumer: ${err.message}\n${RAW_CONSUMER_USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(RAW_CONSUMER_USAGE);
    return;
  }
  const { transport, id } = args;
  const config = loadConfig();
  const sinkRedis = createRedisClient(config.sink.workersUrl, `${id}-sink`, {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  // Commands fail while disconnected (no offline queue): connect before the first record.
  await sinkRedis.connect();
  const sink = createSink(sinkRedis, { namespace: config.sink.namespace });
  const consumer = await driverFor(transport).raw.consumer({ config, sink, consumerName: id });
  console.log(JSON.stringify({ msg: 'raw consumer running', transport, id }));
  const stop = () => {
    void consumer.stop().finally(() => {
      sinkRedis.disconnect();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`raw consumer: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
