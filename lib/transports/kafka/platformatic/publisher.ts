import type { Config } from '../../../config.ts';
import type { EventEnvelope } from '../../../envelope.ts';
import { IndeterminateError, NotSentError } from '../../../errors.ts';
import { createLogger, type Logger } from '../../../log.ts';
import type { Publisher } from '../../types.ts';
import { chunkByBytes, tooLargeError } from '../message-limit.ts';
import { toSizedRecord, type SizedRecord } from './message.ts';
import { partitionFor } from './partition.ts';
import { createPlatformaticProducerLink, type PlatformaticProducerLink } from './producer-link.ts';
import { sendChunk } from './send-chunk.ts';
import { requestOutcome, type Fate } from './send-fates.ts';
import { createSerialBatcher } from './serial-batcher.ts';

/** One publish call waiting for its answer; each record's fate is filled in as it is sent. */
interface Request {
  records: SizedRecord[];
  fates: Fate[];
  deadline: number;
  cause?: unknown;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** One record of a flush, pointing back at its request. */
interface Item {
  request: Request;
  index: number;
  bytes: number;
}

function settle(r: Request): void {
  const outcome = requestOutcome(r.fates);
  if (outcome === 'ok') r.resolve();
  else if (outcome === 'not-sent')
    r.reject(new NotSentError('kafka did not take the events', { cause: r.cause }));
  else
    r.reject(
      new IndeterminateError('kafka may or may not have taken the events', { cause: r.cause }),
    );
}

/** Sends the items of one flush, chunk after chunk, and fills in their fates. */
async function sendItems(
  link: PlatformaticProducerLink,
  config: Config,
  items: readonly Item[],
  log: Logger,
): Promise<void> {
  const limit = link.limit();
  const partitions = link.partitions();
  for (const chunk of limit === undefined ? [items] : chunkByBytes(items, limit)) {
    const deadline = Math.min(...chunk.map((i) => i.request.deadline));
    // Past its deadline and never sent: provably not written (a fate of `rejected`).
    if (Date.now() >= deadline || !link.isReady()) continue;
    const records = chunk.map((i) => {
      const record = i.request.records[i.index]!.record;
      return { record: { ...record, partition: partitionFor(record.key!, partitions) } };
    });
    const result = await sendChunk(link, config.kafka.topic, records, deadline, log);
    chunk.forEach((item, k) => {
      item.request.fates[item.index] = result.fates[k]!;
      if (result.fates[k] !== 'written') item.request.cause ??= result.error;
    });
  }
}

/**
 * Publishes to the Kafka topic through @platformatic/kafka with an idempotent producer
 * (`acks: -1`), records as the kafkajs driver writes them (same key, headers, partition).
 * Concurrent publishes are merged, one produce request at a time (serial-batcher.ts); each
 * publish is answered from its own records' fates: all appended 202, provably none appended
 * NotSentError (503), anything else IndeterminateError (504), so a merged request that the
 * broker partly refused no longer spoils its neighbours' answers.
 */
export function createPlatformaticPublisher(
  config: Config,
  options: { logger?: Logger; maxBatchMessages?: number } = {},
): Publisher {
  const log = options.logger ?? createLogger('kafka-publisher');
  const link = createPlatformaticProducerLink(config, log);
  const batcher = createSerialBatcher<Request>({
    lingerMs: config.producer.lingerMs,
    maxWeight: options.maxBatchMessages ?? Math.max(config.producer.maxBatch, 1000),
    weightOf: (r) => r.records.length,
    flush: async (requests) => {
      const items = requests.flatMap((request) =>
        request.records.map((r, index) => ({ request, index, bytes: r.bytes })),
      );
      try {
        await sendItems(link, config, items, log);
      } finally {
        requests.forEach(settle);
      }
    },
    onError: (err) => log.error({ err }, 'kafka flush failed'),
  });
  let closing: Promise<void> | undefined;

  return {
    transport: 'kafka',
    isReady: () => link.isReady(),
    publish(events: readonly EventEnvelope[]) {
      if (events.length === 0) return Promise.resolve();
      if (closing) return Promise.reject(new NotSentError('publisher is closed'));
      if (!link.isReady()) return Promise.reject(new NotSentError('kafka not connected'));
      const records = events.map((e) => toSizedRecord(config.kafka.topic, e));
      const limit = link.limit();
      const tooLarge = limit === undefined ? undefined : tooLargeError(records, limit);
      if (tooLarge !== undefined) return Promise.reject(tooLarge);
      return new Promise<void>((resolve, reject) => {
        const fates = records.map((): Fate => 'rejected');
        const deadline = Date.now() + config.producer.ackTimeoutMs;
        batcher.add({ records, fates, deadline, resolve, reject });
      });
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
