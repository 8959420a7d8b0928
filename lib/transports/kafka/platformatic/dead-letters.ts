import { ProduceAcks, Producer } from '@platformatic/kafka';
import type { KafkaMessage } from 'kafkajs';
import { errorMessage } from '../../../errors.ts';
import type { Logger } from '../../../log.ts';
import { deadLetterWrite, type KafkaDeadLetters } from '../dead-letters.ts';
import { baseOptions, type PlatformaticClientOptions } from './client.ts';

export interface PlatformaticDeadLettersOptions {
  client: PlatformaticClientOptions;
  /** The `<topic>.dlq` topic (one partition). */
  topic: string;
  retryBackoffMs: number;
  /** Aborted on drain. */
  signal: AbortSignal;
  log: Logger;
}

const bytes = (v: Buffer | string | (Buffer | string)[] | undefined) =>
  Buffer.from(Array.isArray(v) ? String(v[0] ?? '') : (v ?? ''));

/**
 * The dead-letter writer of dead-letters.ts on @platformatic/kafka's idempotent producer.
 * Writes go one at a time: the client numbers a batch when it builds the request and moves
 * its sequence on only when the answer comes, so two sends in flight to one partition carry
 * the same sequence number; the broker takes the second for a duplicate (acknowledged, never
 * written) and refuses every later one (OUT_OF_ORDER_SEQUENCE_NUMBER). After a failed write
 * the producer is replaced, since its numbering may be off.
 */
export function createPlatformaticDeadLetters(o: PlatformaticDeadLettersOptions): KafkaDeadLetters {
  let producer: Producer | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };
  const sendOnce = async (...args: Parameters<typeof send>) => {
    try {
      await send(...args);
    } catch (err) {
      void producer?.close().catch(() => undefined);
      producer = undefined;
      throw err;
    }
  };

  async function send(message: KafkaMessage, partition: number, err: unknown, deliveries: number) {
    producer ??= new Producer({ ...baseOptions(o.client), idempotent: true });
    const headers = new Map<Buffer, Buffer>();
    for (const [k, v] of Object.entries(message.headers ?? {}))
      headers.set(Buffer.from(k), bytes(v));
    headers.set(Buffer.from('error'), Buffer.from(errorMessage(err)));
    headers.set(Buffer.from('deliveries'), Buffer.from(String(deliveries)));
    headers.set(Buffer.from('source-partition'), Buffer.from(String(partition)));
    headers.set(Buffer.from('source-offset'), Buffer.from(message.offset));
    const record = {
      topic: o.topic,
      partition: 0,
      key: message.key ?? undefined,
      value: message.value ?? undefined,
      headers,
    };
    await producer.send({ messages: [record], acks: ProduceAcks.ALL });
  }

  return {
    write: deadLetterWrite(o, (...args) => serially(() => sendOnce(...args))),
    close: async () => {
      await producer?.close();
    },
  };
}
