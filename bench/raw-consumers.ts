import { Worker } from 'bullmq';
import type { Config } from '../lib/config.ts';
import { decodeEnvelope, type TransportName } from '../lib/envelope.ts';
import type { Sink } from '../lib/sink.ts';
import { createKafkaClient } from '../lib/transports/kafka-client.ts';
import { createRedisClient } from '../lib/transports/redis-client.ts';
import { forEachBounded } from './bounded.ts';

/**
 * The drain baseline: the loop one would write straight on each client, doing the same
 * sink write (one `record` per event) before the same ack, with the same in-flight bound
 * (WORKER_CONCURRENCY) per process, and nothing else: no retries, dead letters, claims,
 * heartbeat timers or supervisor.
 */
export interface RawConsumer {
  stop(): Promise<void>;
}

interface RawConsumerOptions {
  transport: TransportName;
  config: Config;
  sink: Sink;
  consumerName: string;
}

export async function startRawConsumer(o: RawConsumerOptions): Promise<RawConsumer> {
  const { config, sink, consumerName } = o;
  const concurrency = config.workers.concurrency;
  const record = (transport: TransportName, id: string, deliveryCount: number) =>
    sink.record({ transport, id, workerId: consumerName, pid: process.pid, deliveryCount });

  if (o.transport === 'kafka') {
    const k = config.kafka;
    const consumer = createKafkaClient({
      brokers: k.workersBrokers,
      clientId: consumerName,
    }).consumer({
      groupId: k.groupId,
      sessionTimeout: k.sessionTimeoutMs,
      heartbeatInterval: k.heartbeatIntervalMs,
      rebalanceTimeout: k.rebalanceTimeoutMs,
      maxWaitTimeInMs: 500,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [k.topic], fromBeginning: true });
    await consumer.run({
      autoCommitInterval: k.commitIntervalMs,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const messages = payload.batch.messages;
        await forEachBounded(messages, concurrency, async (m) => {
          if (m.value !== null) await record('kafka', decodeEnvelope(m.value).id, 1);
        });
        const last = messages[messages.length - 1];
        if (last) payload.resolveOffset(last.offset);
        await payload.heartbeat();
        await payload.commitOffsetsIfNecessary();
      },
    });
    return { stop: () => consumer.disconnect() };
  }

  if (o.transport === 'redis') {
    const r = config.redis;
    const reader = createRedisClient(r.workersUrl, `${consumerName}-read`, { lazyConnect: true });
    const cmd = createRedisClient(r.workersUrl, `${consumerName}-cmd`, { lazyConnect: true });
    await Promise.all([reader.connect(), cmd.connect()]);
    await cmd.xgroup('CREATE', r.stream, r.groupName, '0', 'MKSTREAM').catch(() => undefined);
    let running = true;
    const loop = (async () => {
      while (running) {
        const reply = (await reader.xreadgroup(
          'GROUP',
          r.groupName,
          consumerName,
          'COUNT',
          config.workers.batchSize,
          'BLOCK',
          r.blockMs,
          'STREAMS',
          r.stream,
          '>',
        )) as [string, [string, string[]][]][] | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) continue;
        await forEachBounded(entries, concurrency, async ([, fields]) => {
          const at = fields.indexOf('envelope');
          await record('redis', decodeEnvelope(fields[at + 1] ?? '').id, 1);
        });
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

  const b = config.bullmq;
  const connection = createRedisClient(config.redis.workersUrl, `${consumerName}-bullmq`, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
  });
  const worker = new Worker<{ id: string }>(
    b.queue,
    async (job) => {
      await record('bullmq', job.data.id, Math.max(1, job.attemptsStarted));
    },
    {
      connection,
      concurrency,
      lockDuration: b.lockDurationMs,
      stalledInterval: b.stalledIntervalMs,
      maxStalledCount: b.maxStalledCount,
    },
  );
  await worker.waitUntilReady();
  return {
    async stop() {
      await worker.close();
      connection.disconnect();
    },
  };
}
