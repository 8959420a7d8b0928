/**
 * Child entry of one raw baseline consumer (each driver's `raw.consumer`):
 * `tsx bench/raw-consumer-main.ts --transport kafka|redis|bullmq --id NAME`, configured by
 * the same environment as the worker pool; runs until SIGTERM/SIGINT.
 */
import { loadConfig } from '../lib/config.ts';
import { isTransportName } from '../lib/envelope.ts';
import { createSink } from '../lib/sink.ts';
import { createRedisClient } from '../lib/transports/redis-client.ts';
import { driverFor } from '../lib/transports/registry.ts';

async function main(argv: string[]): Promise<void> {
  const transport = argv[argv.indexOf('--transport') + 1] ?? '';
  const id = argv[argv.indexOf('--id') + 1] ?? 'raw';
  if (!isTransportName(transport))
    throw new Error(`--transport kafka|redis|bullmq, got "${transport}"`);
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
