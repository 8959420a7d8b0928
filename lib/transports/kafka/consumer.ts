import type { Kafka, Consumer as KafkaConsumer } from 'kafkajs';
import type { Config } from '../../config.ts';
import { failpoint } from '../../failpoints.ts';
import { createLogger, type Logger } from '../../log.ts';
import { deadLetterTopic } from '../dead-letter-names.ts';
import { deliveryLimits } from '../delivery-policy.ts';
import { createLimiter } from '../limiter.ts';
import type { Consumer, Handler, WorkerConsumerOptions } from '../types.ts';
import type { BatchContext } from './batch-context.ts';
import { chunkedEachBatch } from './chunked-batch.ts';
import { createKafkaClient, withKafkaAdmin } from './client.ts';
import { createKafkaDeadLetters, type KafkaDeadLetters } from './dead-letters.ts';
import { kafkaConsumerId } from './identity.ts';
import { createMessageHandler } from './message-handler.ts';
import { orderedEachBatch } from './ordered-batch.ts';
import { createReceiptCounter } from './receipts.ts';
import { ensureKafkaTopics } from './topics.ts';

/**
 * Kafka consumer-group worker.
 *
 * Each partition's batch is processed key-ordered (ordered-batch.ts): events of one key one
 * at a time in log order, different keys side by side, at most WORKER_CONCURRENCY at once
 * over the worker. Offsets are resolved by hand, only through the all-done prefix of the
 * partition, and committed by kafkajs at the end of each batch and at most
 * `commitIntervalMs` apart inside long ones. A failing message is retried in place
 * (message-handler.ts) as the delivery policy says; its delivery count is the receipts
 * counted durably (receipts.ts) plus the counted retries in place, so a redelivery after a
 * crash shows. Once the policy says dead-letter, the message goes to `<topic>.dlq`
 * (dead-letters.ts), then its offset is resolved. Retriable failures (sink down) are
 * retried until drain, never dead-lettered.
 */
export function createKafkaConsumer(
  config: Config,
  handler: Handler,
  options: WorkerConsumerOptions,
): Consumer {
  const { kafka: k, workers: w } = config;
  const log = options.logger ?? createLogger('kafka-consumer', { workerId: options.workerId });
  const client = createKafkaClient({
    brokers: k.workersBrokers,
    clientId: kafkaConsumerId(options.workerId),
    logger: log,
    retries: 10,
  });
  const consumer = client.consumer({
    groupId: k.groupId,
    sessionTimeout: k.sessionTimeoutMs,
    heartbeatInterval: k.heartbeatIntervalMs,
    rebalanceTimeout: k.rebalanceTimeoutMs,
    // Keep fetching within one cycle of the broker so a drain is not stuck behind a long fetch.
    maxWaitTimeInMs: 500,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  let draining = false;
  /** Aborted on drain: ends retry delays at once. */
  const drainSignal = new AbortController();
  const deadLetters = createKafkaDeadLetters({
    client,
    topic: deadLetterTopic(k.topic),
    retryBackoffMs: w.retryBackoffMs,
    signal: drainSignal.signal,
    log,
  });
  const ctx: BatchContext = {
    consumer,
    concurrency: w.concurrency,
    limit: createLimiter(w.concurrency),
    handle: createMessageHandler({
      handler,
      limits: deliveryLimits(w),
      deadLetters,
      log,
      draining: () => draining,
      signal: drainSignal.signal,
    }),
    receipts: createReceiptCounter(options.countReceipts, log),
    heartbeatIntervalMs: k.heartbeatIntervalMs,
    commitIntervalMs: k.commitIntervalMs,
    draining: () => draining,
    stoppers: new Set(),
  };
  const drain = () => {
    draining = true;
    drainSignal.abort();
    for (const stop of ctx.stoppers) stop();
  };
  return kafkaConsumerVerbs(config, { client, consumer, ctx, deadLetters, log, drain });
}

interface ConsumerParts {
  client: Kafka;
  consumer: KafkaConsumer;
  ctx: BatchContext;
  deadLetters: KafkaDeadLetters;
  log: Logger;
  /** Stops every batch from starting new messages, and retry delays. */
  drain: () => void;
}

function kafkaConsumerVerbs(config: Config, parts: ConsumerParts): Consumer {
  const { kafka: k, workers: w } = config;
  const { consumer, ctx, deadLetters, log } = parts;
  let drainPromise: Promise<void> | undefined;
  return {
    transport: 'kafka',

    async start() {
      await withKafkaAdmin(parts.client, (admin) =>
        ensureKafkaTopics(admin, { topic: k.topic, partitions: k.partitions }),
      );
      await consumer.connect();
      // FAILPOINT group-from-latest: a new group starts at the end of the log.
      await consumer.subscribe({
        topics: [k.topic],
        fromBeginning: !failpoint('group-from-latest'),
      });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: k.commitIntervalMs,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: Math.max(1, Math.min(k.partitions, w.concurrency)),
        // FAILPOINT unordered: a chunk is handled concurrently whatever its keys.
        eachBatch: failpoint('unordered') ? chunkedEachBatch(ctx) : orderedEachBatch(ctx),
      });
      log.info({ topic: k.topic, groupId: k.groupId }, 'kafka consumer running');
    },

    drain() {
      drainPromise ??= (async () => {
        parts.drain();
        // stop() waits for the batches in flight; they return once their messages in flight
        // finished, and kafkajs commits what they resolved before leaving the group.
        await consumer.stop();
        await consumer.disconnect();
        await deadLetters.close();
        log.info('kafka consumer drained');
      })();
      return drainPromise;
    },
  };
}
