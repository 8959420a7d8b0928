import type { Message } from 'kafkajs';
import type { Config } from '../../config.ts';
import type { EventEnvelope } from '../../envelope.ts';
import { IndeterminateError, NotSentError } from '../../errors.ts';
import { failpoint } from '../../failpoints.ts';
import { createLogger, type Logger } from '../../log.ts';
import { createMicroBatcher } from '../../micro-batcher.ts';
import type { TraceFields } from '../../tracing/trace-fields.ts';
import { withTimeout } from '../../with-timeout.ts';
import { toKafkaMessage } from './message.ts';
import { chunkByBytes, recordBytes, tooLargeError } from './message-limit.ts';
import { createProducerLink, type ProducerLink } from './producer-link.ts';
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

const toSizedMessage = (event: EventEnvelope, trace?: TraceFields): SizedMessage => {
  const message = toKafkaMessage(event, trace);
  return { id: event.id, message, bytes: recordBytes(message) };
};

/** One produce request; `single` when the flush is one event (a refusal then proves it). */
async function sendOnce(
  link: ProducerLink,
  config: Config,
  messages: Message[],
  single: boolean,
): Promise<void> {
  const { ackTimeoutMs } = config.producer;
  // FAILPOINT acks-leader: a leader lost before its followers fetched takes the write with it.
  const acks = failpoint('acks-leader') ? 1 : -1;
  try {
    await withTimeout(
      link.producer.send({ topic: config.kafka.topic, acks, timeout: ackTimeoutMs, messages }),
      ackTimeoutMs,
      () => new IndeterminateError(`no acks=-1 reply within ${ackTimeoutMs} ms`),
    );
  } catch (err) {
    if (err instanceof IndeterminateError) throw err;
    if (isConnectFailure(err)) link.health.markDown(err);
    // kafkajs throws one partition's error for the whole request while other partitions
    // may already be appended: a rejection proves nothing written only for one event.
    if (link.brokerCount() === 1 && single && provesNothingWritten(err)) {
      throw new NotSentError('kafka did not take the batch', { cause: err });
    }
    throw new IndeterminateError('kafka send failed after it may have been written', {
      cause: err,
    });
  }
}

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
 * broker serves one request per connection at a time. Each request is one attempt (see
 * `createProducerLink`), which is what tells "not sent" from "indeterminate".
 */
export function createKafkaPublisher(
  config: Config,
  options: KafkaPublisherOptions = {},
): Publisher {
  const logger = options.logger ?? createLogger('kafka-publisher');
  const { lingerMs } = config.producer;
  const link = createProducerLink(config, logger);
  let closing: Promise<void> | undefined;

  const send = async (items: SizedMessage[]) => {
    const limit = link.limit();
    // In order and one at a time, so the events of one key keep their order.
    for (const chunk of limit === undefined ? [items] : chunkByBytes(items, limit)) {
      await sendOnce(
        link,
        config,
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
    isReady: () => link.isReady(),

    publish(events: readonly EventEnvelope[], traces?: readonly TraceFields[]) {
      if (events.length === 0) return Promise.resolve();
      if (closing) return Promise.reject(new NotSentError('publisher is closed'));
      // Fail fast while the link is known down; the health check brings it back.
      if (!link.isReady()) return Promise.reject(new NotSentError('kafka not connected'));
      const sized = events.map((event, i) => toSizedMessage(event, traces?.[i]));
      const limit = link.limit();
      // Refused before it joins a produce request, where it would fail the others too.
      const tooLarge = limit === undefined ? undefined : tooLargeError(sized, limit);
      return tooLarge === undefined ? batcher.add(sized) : Promise.reject(tooLarge);
    },

    close() {
      closing ??= (async () => {
        await batcher.drain();
        await link.close();
      })();
      return closing;
    },
  };
}
