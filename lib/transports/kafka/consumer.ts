import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type EachBatchPayload, type KafkaMessage, type Producer } from 'kafkajs';
import type { Config } from '../../config.ts';
import { decodeEnvelope } from '../../envelope.ts';
import { PermanentHandlerError, errorMessage } from '../../errors.ts';
import { failpoint } from '../../failpoints.ts';
import { createLogger } from '../../log.ts';
import { deadLetterTopic } from '../dead-letter-names.ts';
import { createKafkaClient, withKafkaAdmin } from './client.ts';
import { kafkaConsumerId } from './identity.ts';
import { ensureKafkaTopics } from './topics.ts';
import { createLimiter } from '../limiter.ts';
import { retry } from '../../retry.ts';
import { classifyFailure, decideDelivery, deliveryLimits } from '../delivery-policy.ts';
import type { Consumer, Handler, WorkerConsumerOptions } from '../types.ts';

/** Dead-letter writes back off up to 2 s, from WORKER_RETRY_BACKOFF_MS. */
const DEAD_LETTER_BACKOFF = { maxMs: 2000, jitter: 'equal' } as const;

/**
 * Kafka consumer-group worker.
 *
 * Offsets are resolved by hand, only after the sink write (or the dead-letter write) of
 * every earlier message in the partition's batch, and committed by kafkajs at the end of
 * each batch and at most `commitIntervalMs` apart inside long ones. A failing message is
 * retried in place (Kafka has no per-message redelivery) as the delivery policy says
 * (delivery-policy.ts). Its delivery count is the receipts counted durably by
 * `countReceipts` (one round trip per chunk) plus the counted retries in place, so a
 * redelivery after a crash shows. Once the policy says dead-letter, the message goes to
 * `<topic>.dlq` with `error` and `deliveries` headers, then its offset is resolved.
 * Retriable failures (sink down) are retried until drain, never dead-lettered.
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
  let dlqProducer: Producer | undefined;
  const limit = createLimiter(w.concurrency);
  const dlq = deadLetterTopic(k.topic);
  const limits = deliveryLimits(w);
  let draining = false;
  /** Aborted on drain: ends retry delays at once. */
  const drainSignal = new AbortController();
  let drainPromise: Promise<void> | undefined;

  async function deadLetter(
    message: KafkaMessage,
    partition: number,
    err: unknown,
    deliveries: number,
  ) {
    dlqProducer ??= client.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await dlqProducer.connect();
    await dlqProducer.send({
      topic: dlq,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            error: errorMessage(err),
            deliveries: String(deliveries),
            'source-partition': String(partition),
            'source-offset': message.offset,
          },
        },
      ],
    });
  }

  /** The dead letter, retried (the broker may be unreachable) until it is written or we drain. */
  async function deadLetterUntilDrain(
    message: KafkaMessage,
    partition: number,
    failure: unknown,
    deliveries: number,
  ): Promise<boolean> {
    // FAILPOINT drop-dead-letters: resolved (acknowledged) without the dead-letter write.
    if (failpoint('drop-dead-letters')) return true;
    try {
      await retry(() => deadLetter(message, partition, failure, deliveries), {
        ...DEAD_LETTER_BACKOFF,
        baseMs: w.retryBackoffMs,
        signal: drainSignal.signal,
        onRetry: (err) =>
          log.warn({ err: errorMessage(err) }, 'dead-letter write failed; retrying'),
      });
    } catch {
      return false; // draining: left unresolved, the next owner of the partition retries it
    }
    log.warn({ partition, offset: message.offset, err: errorMessage(failure) }, 'dead-lettered');
    return true;
  }

  /** Runs the handler once; the error it failed with, or undefined on success. */
  async function attemptOnce(message: KafkaMessage, deliveryCount: number): Promise<unknown> {
    try {
      if (message.value === null)
        throw new PermanentHandlerError(`empty message at offset ${message.offset}`);
      await handler({ event: decodeEnvelope(message.value), deliveryCount });
      return undefined;
    } catch (err) {
      return err ?? new Error('handler failed with no error');
    }
  }

  /**
   * Handles one message to completion, retrying in place as the delivery policy says.
   * False: left unresolved because we are draining.
   */
  async function handle(
    message: KafkaMessage,
    partition: number,
    receipts: number,
  ): Promise<boolean> {
    let counted = 0;
    for (let attempt = 1; ; attempt += 1) {
      if (draining && attempt > 1) return false;
      const err = await attemptOnce(message, receipts + counted);
      if (err === undefined) return true;
      const failure = classifyFailure(err);
      if (failure === 'counted') counted += 1;
      // Deliveries so far: the durable receipts (earlier workers included) and the counted
      // retries here; retriable retries in place are not deliveries.
      const deliveries = receipts - 1 + counted;
      const decision = decideDelivery({ failure, deliveries, attempt }, limits);
      if (decision.action === 'dead-letter')
        return deadLetterUntilDrain(message, partition, err, deliveries);
      log.debug(
        { partition, offset: message.offset, failure, deliveries, err: errorMessage(err) },
        'delivery failed; retrying',
      );
      await sleep(decision.afterMs, undefined, { signal: drainSignal.signal }).catch(() => {});
    }
  }

  /** Receipt counts for a chunk; 1 each when they cannot be counted (sink down). */
  async function countReceipts(chunk: readonly KafkaMessage[]): Promise<number[]> {
    if (!options.countReceipts) return chunk.map(() => 1);
    const ids = chunk.map((m) => m.headers?.id?.toString() ?? `offset-${m.offset}`);
    try {
      return await options.countReceipts(ids);
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'receipt count failed; counting from 1');
      return chunk.map(() => 1);
    }
  }

  /** Failpoints only: commit the partition through `offset` now, processed or not. */
  async function commitThrough(batch: EachBatchPayload['batch'], offset: string | undefined) {
    if (offset === undefined) return;
    const next = String(Number(offset) + 1);
    await consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: next },
    ]);
  }

  async function eachBatch(payload: EachBatchPayload) {
    const { batch } = payload;
    const messages = batch.messages;
    let next = 0;
    let heartbeatError: Error | undefined;
    // Heartbeat on a timer while a chunk is in the handler, so long work never costs the
    // partition; a rebalance error is rethrown after the chunk so kafkajs rejoins.
    const ticker = setInterval(() => {
      payload.heartbeat().catch((err: unknown) => {
        heartbeatError ??= err instanceof Error ? err : new Error(String(err));
      });
    }, k.heartbeatIntervalMs);
    // FAILPOINT auto-commit: like enable.auto.commit, the fetched position is committed at once,
    // whether or not its messages get processed.
    if (failpoint('auto-commit')) await commitThrough(batch, batch.lastOffset());
    try {
      while (next < messages.length && !draining && payload.isRunning() && !payload.isStale()) {
        const chunk = messages.slice(next, next + w.concurrency);
        const receipts = await countReceipts(chunk);
        // FAILPOINT ack-before-effect: the chunk is committed before the handler runs.
        if (failpoint('ack-before-effect')) await commitThrough(batch, chunk.at(-1)?.offset);
        const done = await Promise.all(
          chunk.map((m, i) => limit(() => handle(m, batch.partition, receipts[i] ?? 1))),
        );
        const firstUndone = done.indexOf(false);
        const completed = firstUndone === -1 ? chunk.length : firstUndone;
        const last = chunk[completed - 1];
        if (last) payload.resolveOffset(last.offset);
        next += completed;
        if (completed < chunk.length) break;
        if (heartbeatError) throw heartbeatError;
        await payload.heartbeat();
        await payload.commitOffsetsIfNecessary();
      }
    } finally {
      clearInterval(ticker);
    }
  }

  return {
    transport: 'kafka',

    async start() {
      await withKafkaAdmin(client, (admin) =>
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
        eachBatch,
      });
      log.info({ topic: k.topic, groupId: k.groupId }, 'kafka consumer running');
    },

    drain() {
      drainPromise ??= (async () => {
        draining = true;
        drainSignal.abort();
        // stop() waits for the batches in flight; they return after their current chunk and
        // kafkajs commits what they resolved before leaving the group.
        await consumer.stop();
        await consumer.disconnect();
        await dlqProducer?.disconnect();
        log.info('kafka consumer drained');
      })();
      return drainPromise;
    },
  };
}
