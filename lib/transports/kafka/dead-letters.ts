import { Partitioners, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { errorMessage } from '../../errors.ts';
import { failpoint } from '../../failpoints.ts';
import type { Logger } from '../../log.ts';
import { retry } from '../../retry.ts';

/** Dead-letter writes back off up to 2 s, from WORKER_RETRY_BACKOFF_MS. */
const DEAD_LETTER_BACKOFF = { maxMs: 2000, jitter: 'equal' } as const;

export interface KafkaDeadLetters {
  /**
   * Writes the message to the dead-letter topic with `error` and `deliveries` headers,
   * retried (the broker may be unreachable) until it is written or the drain signal fires.
   * True once written; false when the drain cut it short (the message stays unresolved and
   * the next owner of the partition retries it).
   */
  write(
    message: KafkaMessage,
    partition: number,
    failure: unknown,
    deliveries: number,
  ): Promise<boolean>;
  close(): Promise<void>;
}

export interface KafkaDeadLettersOptions {
  client: Kafka;
  /** The `<topic>.dlq` topic. */
  topic: string;
  retryBackoffMs: number;
  /** Aborted on drain. */
  signal: AbortSignal;
  log: Logger;
}

/** What a write needs besides the client: the backoff, the drain signal, the log. */
export type DeadLetterWriteOptions = Pick<
  KafkaDeadLettersOptions,
  'retryBackoffMs' | 'signal' | 'log'
>;

type SendDeadLetter = (
  message: KafkaMessage,
  partition: number,
  failure: unknown,
  deliveries: number,
) => Promise<void>;

/**
 * `KafkaDeadLetters.write` around one client's `send`: retried with backoff until written or
 * drained, logged once written; every Kafka client's writer shares it.
 */
export function deadLetterWrite(
  o: DeadLetterWriteOptions,
  send: SendDeadLetter,
): KafkaDeadLetters['write'] {
  return async (message, partition, failure, deliveries) => {
    // FAILPOINT drop-dead-letters: resolved (acknowledged) without the dead-letter write.
    if (failpoint('drop-dead-letters')) return true;
    try {
      await retry(() => send(message, partition, failure, deliveries), {
        ...DEAD_LETTER_BACKOFF,
        baseMs: o.retryBackoffMs,
        signal: o.signal,
        onRetry: (err) =>
          o.log.warn({ err: errorMessage(err) }, 'dead-letter write failed; retrying'),
      });
    } catch {
      return false;
    }
    o.log.warn({ partition, offset: message.offset, err: errorMessage(failure) }, 'dead-lettered');
    return true;
  };
}

export function createKafkaDeadLetters(o: KafkaDeadLettersOptions): KafkaDeadLetters {
  let producer: Producer | undefined;

  async function send(message: KafkaMessage, partition: number, err: unknown, deliveries: number) {
    producer ??= o.client.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const headers = {
      ...message.headers,
      error: errorMessage(err),
      deliveries: String(deliveries),
      'source-partition': String(partition),
      'source-offset': message.offset,
    };
    await producer.send({
      topic: o.topic,
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
  }

  return {
    write: deadLetterWrite(o, send),
    close: async () => {
      await producer?.disconnect();
    },
  };
}
