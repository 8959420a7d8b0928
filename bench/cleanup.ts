import type { Config } from '../lib/config.ts';
import { createSink } from '../lib/sink.ts';
import { createRedisClient } from '../lib/transports/redis-client.ts';
import { drivers } from '../lib/transports/registry.ts';

/**
 * Deletes what one measurement left in the brokers and the sink (topic, stream, queue,
 * ledger), so a full run does not grow the brokers' memory and disks by millions of
 * events. Best effort: a failure here never fails the bench.
 */
export async function cleanupRun(config: Config): Promise<void> {
  const clearSink = async () => {
    const redis = createRedisClient(config.sink.url, 'bench-cleanup', { lazyConnect: true });
    await redis.connect();
    try {
      const sink = createSink(redis, { namespace: config.sink.namespace });
      await Promise.all(drivers.map((d) => sink.clear(d.name)));
    } finally {
      redis.disconnect();
    }
  };
  await Promise.allSettled([...drivers.map((d) => d.inspect(config).removeAll()), clearSink()]);
}
