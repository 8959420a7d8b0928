import { setTimeout as sleep } from 'node:timers/promises';
import type { TransportName } from '../lib/envelope.ts';
import { createSink, type Sink, type SinkRecord } from '../lib/sink.ts';
import { createRedisClient } from '../lib/transports/redis-client.ts';

/** The bench's read side of the sink ledger (over the direct sink endpoint). */
export interface SinkReader {
  readonly sink: Sink;
  /** Polls the ledger totals until `count` records exist; throws after `timeoutMs`. */
  waitForRecords(
    transport: TransportName,
    count: number,
    timeoutMs: number,
    check?: () => void,
  ): Promise<void>;
  /** Every record of a transport (deduplicated: HSCAN may repeat an id). */
  records(transport: TransportName): Promise<SinkRecord[]>;
  close(): void;
}

export async function openSinkReader(url: string, namespace: string): Promise<SinkReader> {
  const redis = createRedisClient(url, 'bench-sink-reader', {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
  });
  await redis.connect();
  const sink = createSink(redis, { namespace, scanCount: 2000 });
  return {
    sink,
    async waitForRecords(transport, count, timeoutMs, check) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = (await sink.counts(transport)).records;
        if (seen >= count) return;
        check?.();
        if (Date.now() > deadline)
          throw new Error(
            `${transport}: ${seen} of ${count} events in the sink after ${timeoutMs} ms`,
          );
        await sleep(100);
      }
    },
    async records(transport) {
      const byId = new Map<string, SinkRecord>();
      for await (const page of sink.scan(transport)) for (const r of page) byId.set(r.id, r);
      return [...byId.values()];
    },
    close: () => redis.disconnect(),
  };
}

/** First and last first-effect time of the records: the processing window. */
export function effectWindow(records: readonly SinkRecord[]): { firstMs: number; lastMs: number } {
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    if (r.firstEffectMs < firstMs) firstMs = r.firstEffectMs;
    if (r.firstEffectMs > lastMs) lastMs = r.firstEffectMs;
  }
  return { firstMs, lastMs };
}
