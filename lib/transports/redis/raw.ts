import { forEachBounded } from '../../bounded.ts';
import type { Config } from '../../config.ts';
import { decodeEnvelope } from '../../envelope.ts';
import type {
  BrokerToolInput,
  BrokerToolResult,
  RawClients,
  RawConsumer,
  RawConsumerOptions,
  RawPublisher,
} from '../driver.ts';
import { createRedisClient } from '../redis-client.ts';
import { redisTarget } from '../redis-target.ts';
import { pairsToMap } from '../redis-pairs.ts';
import { runTool } from '../run-tool.ts';
import { addStreamEntry } from './stream-entry.ts';

type ReadReply = [string, [string, string[]][]][] | null;

async function publisher(config: Config): Promise<RawPublisher> {
  const redis = createRedisClient(redisTarget(config, 'direct'), 'raw-publisher', {
    lazyConnect: true,
  });
  await redis.connect();
  return {
    async publish(events) {
      const pipeline = redis.pipeline();
      for (const e of events) addStreamEntry(pipeline, config.redis.stream, e);
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([err]) => err !== null);
      if (failed) throw failed[0] as Error;
    },
    close() {
      redis.disconnect();
      return Promise.resolve();
    },
  };
}

/** XREADGROUP, the read's sink writes (bounded), one XACK; nothing else. */
async function consumer({ config, sink, consumerName }: RawConsumerOptions): Promise<RawConsumer> {
  const r = config.redis;
  const reader = createRedisClient(redisTarget(config, 'workers'), `${consumerName}-read`, {
    lazyConnect: true,
  });
  const cmd = createRedisClient(redisTarget(config, 'workers'), `${consumerName}-cmd`, {
    lazyConnect: true,
  });
  await Promise.all([reader.connect(), cmd.connect()]);
  await cmd.xgroup('CREATE', r.stream, r.groupName, '0', 'MKSTREAM').catch(() => undefined);
  const record = (id: string) =>
    sink.record({
      transport: 'redis',
      id,
      workerId: consumerName,
      pid: process.pid,
      deliveryCount: 1,
    });
  let running = true;
  const loop = (async () => {
    while (running) {
      // prettier-ignore
      const reply = (await reader.xreadgroup('GROUP', r.groupName, consumerName,
        'COUNT', config.workers.batchSize, 'BLOCK', r.blockMs, 'STREAMS', r.stream, '>')) as ReadReply;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      await forEachBounded(entries, config.workers.concurrency, ([, fields]) =>
        record(decodeEnvelope(pairsToMap(fields).get('envelope') ?? '').id).then(() => undefined),
      );
      await cmd.xack(r.stream, r.groupName, ...entries.map(([entryId]) => entryId));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.catch(() => undefined);
      reader.disconnect();
      cmd.disconnect();
    },
  };
}

/** `redis-benchmark -P <pipeline> XADD <stream>-rb * id .. type .. envelope <value>`. */
async function tool(o: BrokerToolInput): Promise<BrokerToolResult> {
  const u = new URL(o.config.redis.url);
  const stream = `${o.config.redis.stream}-rb`;
  try {
    // prettier-ignore
    const out = await runTool('redis-benchmark', [
      '-h', u.hostname, '-p', u.port || '6379', '-n', String(o.records), '-c', String(o.connections),
      '-P', String(o.pipeline), '-r', '1000000000', '--csv',
      'XADD', stream, '*', 'id', 'bench-__rand_int__', 'type', 'bench.event', 'envelope', 'x'.repeat(o.recordBytes),
    ], o.timeoutMs);
    // "test","rps","avg_latency_ms",...  then one row per command.
    const rows = out.split('\n').filter((l) => l.startsWith('"'));
    const header = rows[0]?.split(',').map((c) => c.replaceAll('"', ''));
    const row = rows[1]?.split('","').map((c) => c.replaceAll('"', ''));
    const at = header?.indexOf('rps') ?? -1;
    const rate = at >= 0 ? Number(row?.[at]) : Number.NaN;
    if (!Number.isFinite(rate))
      throw new Error(`no rps in redis-benchmark output: ${out.slice(-300)}`);
    const line = `${row?.[at]} XADD/s (-c ${o.connections} -P ${o.pipeline})`;
    return { name: 'redis-benchmark XADD', eventsPerS: rate, line };
  } finally {
    const redis = createRedisClient(redisTarget(o.config, 'direct'), 'bench-tool', {
      lazyConnect: true,
    });
    await redis.connect();
    await redis.del(stream).finally(() => redis.disconnect());
  }
}

export const redisRaw: RawClients = { publisher, consumer, tool };
