import kafkajs, { type Admin, type Message, type Producer } from 'kafkajs';
import type { Config } from '../../config.ts';
import type { EventEnvelope } from '../../envelope.ts';
import { IndeterminateError, NotSentError } from '../../errors.ts';
import { createHealthMonitor } from '../../health-monitor.ts';
import { createLogger, type Logger } from '../../log.ts';
import { createMicroBatcher } from '../../micro-batcher.ts';
import { withTimeout } from '../../with-timeout.ts';
import { createKafkaClient } from './client.ts';
import { toKafkaMessage } from './message.ts';
import { ensureKafkaTopics } from './topics.ts';
import {
  chunkByBytes,
  readMessageLimit,
  recordBytes,
  tooLargeError,
  type MessageLimit,
} from './message-limit.ts';
import { isConnectFailure, provesNothingWritten } from './send-errors.ts';
import type { Publisher } from '../types.ts';

export interface KafkaPublisherOptions {
  logger?: Logger;
  /** Most messages in one produce request (concurrent requests are merged up to this). */
  maxBatchMessages?: number;
}

/** One event as the record it becomes, with its size in a record batch. */
interface SizedMessage {
  id: string;
  message: Message;
  bytes: number;
}

const toSizedMessage = (event: EventEnvelope): SizedMessage => {
  const message = toKafkaMessage(event);
  return { id: event.id, message, bytes: recordBytes(message) };
};

/**
 * Publishes to the Kafka topic with `acks: -1`: key = event key or id, headers `id` and
 * `type`, value = the encoded envelope. The topic is created up front when missing.
 *
 * The broker refuses a record batch over its message limit, read at setup: an event that
 * could never fit is refused here (MessageTooLargeError, nothing sent) before it joins a
 * produce request, and merged requests are sent in as many produce requests as they need,
 * one after the other, so no request spoils the answers of the others.
 *
 * Concurrent publishes are merged for `lingerMs` into one produce request, because the
 * broker serves one request per connection at a time. kafkajs' own retries are off so a
 * failure describes exactly one attempt, which is what tells "not sent" from "indeterminate".
 */
export function createKafkaPublisher(
  config: Config,
  options: KafkaPublisherOptions = {},
): Publisher {
  const logger = options.logger ?? createLogger('kafka-publisher');
  const { ackTimeoutMs, healthIntervalMs, lingerMs } = config.producer;
  const { topic, partitions } = config.kafka;
  const checkTimeoutMs = Math.min(ackTimeoutMs, 2000);
  const kafka = createKafkaClient({
    brokers: config.kafka.producerBrokers,
    clientId: 'pipeline-producer',
    connectionTimeoutMs: checkTimeoutMs,
    requestTimeoutMs: ackTimeoutMs,
    retries: 0,
    // kafkajs logs every failed reconnect; the health monitor logs each state change once.
    logger: logger.child({}, { level: logger.isLevelEnabled('debug') ? logger.level : 'fatal' }),
  });
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: false,
    // Named explicitly (murmur2, as the Java client): same key, same partition.
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    retry: { retries: 0 },
  });
  const admin: Admin = kafka.admin({ retry: { retries: 0 } });

  let setUp = false;
  let brokerCount = 0;
  let limit: MessageLimit | undefined;
  let closing: Promise<void> | undefined;

  /** First contact: make the topic, learn the cluster size, connect the producer. */
  const setUpOnce = async () => {
    await admin.connect();
    await ensureKafkaTopics(admin, { topic, partitions });
    limit = await readMessageLimit(admin, topic);
    logger.info({ limitBytes: limit.bytes, setting: limit.setting }, 'kafka message limit');
    await producer.connect();
    setUp = true;
  };

  const health = createHealthMonitor({
    intervalMs: healthIntervalMs,
    // Topic creation waits for leaders, so the first check gets the full ack timeout.
    timeoutMs: ackTimeoutMs,
    check: async () => {
      if (!setUp) await setUpOnce();
      const cluster = await withTimeout(
        admin.describeCluster(),
        checkTimeoutMs,
        () => new NotSentError('describeCluster timed out'),
      );
      brokerCount = cluster.brokers.length;
    },
    onChange: (ready, err) =>
      ready
        ? logger.info({ brokerCount }, 'kafka ready')
        : logger.warn({ err }, 'kafka unreachable'),
  });
  void health.checkNow();

  /** One produce request; `single` when the flush is one event (a refusal then proves it). */
  const sendRequest = async (messages: Message[], single: boolean) => {
    try {
      await withTimeout(
        producer.send({ topic, acks: -1, timeout: ackTimeoutMs, messages }),
        ackTimeoutMs,
        () => new IndeterminateError(`no acks=-1 reply within ${ackTimeoutMs} ms`),
      );
    } catch (err) {
      if (err instanceof IndeterminateError) throw err;
      if (isConnectFailure(err)) health.markDown(err);
      // kafkajs throws one partition's error for the whole request while other partitions
      // may already be appended: a rejection proves nothing written only for one event.
      if (brokerCount === 1 && single && provesNothingWritten(err)) {
        throw new NotSentError('kafka did not take the batch', { cause: err });
      }
      throw new IndeterminateError('kafka send failed after it may have been written', {
        cause: err,
      });
    }
  };

  const send = async (items: SizedMessage[]) => {
    // In order and one at a time, so the events of one key keep their order.
    for (const chunk of limit === undefined ? [items] : chunkByBytes(items, limit)) {
      await sendRequest(
        chunk.map((item) => item.message),
        items.length === 1,
      );
    }
  };

  const batcher = createMicroBatcher<SizedMessage>({
    lingerMs,
    maxItems: options.maxBatchMessages ?? Math.max(config.producer.maxBatch, 1000),
    flush: send,
  });

  return {
    transport: 'kafka',
    isReady: () => setUp && health.isReady(),

    publish(events: readonly EventEnvelope[]) {
      if (events.length === 0) return Promise.resolve();
      if (closing) return Promise.reject(new NotSentError('publisher is closed'));
      // Fail fast while the link is known down; the health check brings it back.
      if (!setUp || !health.isReady())
        return Promise.reject(new NotSentError('kafka not connected'));
      const sized = events.map(toSizedMessage);
      // Refused before it joins a produce request, where it would fail the others too.
      const tooLarge = limit === undefined ? undefined : tooLargeError(sized, limit);
      return tooLarge === undefined ? batcher.add(sized) : Promise.reject(tooLarge);
    },

    close() {
      closing ??= (async () => {
        health.stop();
        await batcher.drain();
        const results = await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
        for (const r of results)
          if (r.status === 'rejected') logger.warn({ err: r.reason }, 'kafka disconnect failed');
      })();
      return closing;
    },
  };
}
