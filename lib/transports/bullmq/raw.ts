import { Queue, Worker } from 'bullmq';
import type { Config } from '../../config.ts';
import type { EventEnvelope } from '../../envelope.ts';
import type { RawClients, RawConsumer, RawConsumerOptions, RawPublisher } from '../driver.ts';
import { createRedisClient } from '../redis-client.ts';
import { redisTarget } from '../redis-target.ts';
import { bullmqJobs } from './jobs.ts';

async function publisher(config: Config): Promise<RawPublisher> {
  const redis = createRedisClient(redisTarget(config, 'direct'), 'raw-publisher', {
    lazyConnect: true,
  });
  await redis.connect();
  const queue = new Queue(config.bullmq.queue, { connection: redis, skipVersionCheck: true });
  return {
    async publish(events) {
      await queue.addBulk(bullmqJobs(events, config.bullmq.keepCompletedS));
    },
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

/** A BullMQ Worker whose processor is the sink write; BullMQ's own settings, nothing else. */
async function consumer({ config, sink, consumerName }: RawConsumerOptions): Promise<RawConsumer> {
  const b = config.bullmq;
  const connection = createRedisClient(redisTarget(config, 'workers'), `${consumerName}-bullmq`, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
  });
  const worker = new Worker<EventEnvelope>(
    b.queue,
    async (job) => {
      const deliveryCount = Math.max(1, job.attemptsStarted);
      const workerId = consumerName;
      await sink.record({
        transport: 'bullmq',
        id: job.data.id,
        workerId,
        pid: process.pid,
        deliveryCount,
      });
    },
    {
      connection,
      concurrency: config.workers.concurrency,
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

export const bullmqRaw: RawClients = { publisher, consumer };
