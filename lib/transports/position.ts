/**
 * Where a broker put an event: the unit it keeps order in (`shard`: a Kafka partition; ''
 * for one stream or one queue) and the place inside it, a pair compared in order:
 * - Kafka: (offset, 0);
 * - Redis Streams: the entry id `<ms>-<seq>`, as (ms, seq);
 * - BullMQ: (job timestamp, 0), set by the producer when it adds the job, so two jobs added
 *   in one millisecond tie (BullMQ keeps no order of its own among jobs with custom ids).
 * Stored in the sink as `<shard>@<a>-<b>`.
 */
export interface BrokerPosition {
  shard: string;
  at: readonly [number, number];
}

export function formatPosition(p: BrokerPosition): string {
  return `${p.shard}@${p.at[0]}-${p.at[1]}`;
}

/** The position a sink row carries; undefined when absent or torn. */
export function parsePosition(text: string | undefined): BrokerPosition | undefined {
  if (!text) return undefined;
  const m = /^(.*)@(\d+)-(\d+)$/.exec(text);
  if (!m) return undefined;
  return { shard: m[1] as string, at: [Number(m[2]), Number(m[3])] };
}

/**
 * Negative, zero or positive as `a` is before, level with or after `b`; NaN when they are
 * in different shards, where the broker keeps no order between them.
 */
export function comparePositions(a: BrokerPosition, b: BrokerPosition): number {
  if (a.shard !== b.shard) return Number.NaN;
  return a.at[0] - b.at[0] || a.at[1] - b.at[1];
}
