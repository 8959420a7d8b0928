import type { LostClass } from '../driver.ts';
import type { OffsetRange } from './read-range.ts';

/** A record read back: its event id and where it is. */
export interface PlacedRecord {
  id: string;
  partition: number;
  offset: number;
}

/** What placing lost ids needs from a Kafka client, whichever it is. */
export interface LostPlaceReads {
  /** Every partition's stored range (low to high watermark). */
  ranges: ReadonlyMap<number, OffsetRange>;
  /** The group's committed offset per partition. */
  committed: ReadonlyMap<number, number>;
  /** Reads one slice of the ranges. */
  read: (slice: ReadonlyMap<number, OffsetRange>) => Promise<readonly PlacedRecord[]>;
}

/** Records per partition read at once while placing lost ids. */
const LOCATE_SLICE = 50_000;

/** The ranges cut into consecutive slices of at most `size` offsets per partition. */
function slices(
  ranges: ReadonlyMap<number, OffsetRange>,
  size: number,
): Map<number, OffsetRange>[] {
  const out: Map<number, OffsetRange>[] = [];
  for (const [partition, { from, to }] of ranges) {
    for (let k = 0, start = from; start < to; k++, start += size) {
      const slice = (out[k] ??= new Map());
      slice.set(partition, { from: start, to: Math.min(to, start + size) });
    }
  }
  return out;
}

/**
 * Kafka keeps no per-record delivery; the sink's receipts do (`seen`). A received record
 * was delivered. Else one at or past the group's committed offset was not consumed, and one
 * behind it was, unless it is older than the first seen record of its partition (the group
 * started past it, e.g. at the log end). A slice of each partition is read at a time, so a
 * soak's topic never sits in memory at once.
 */
export async function classifyLostKafka(
  reads: LostPlaceReads,
  ids: readonly string[],
  seen: (id: string) => boolean,
): Promise<Map<string, LostClass>> {
  const wanted = new Set(ids);
  const found = new Map<string, { partition: number; offset: number }>();
  const firstSeen = new Map<number, number>();
  for (const slice of slices(reads.ranges, LOCATE_SLICE)) {
    for (const { id, partition, offset } of await reads.read(slice)) {
      if (wanted.has(id) && !found.has(id)) found.set(id, { partition, offset });
      const first = firstSeen.get(partition);
      if ((first === undefined || offset < first) && seen(id)) firstSeen.set(partition, offset);
    }
  }
  return new Map(
    ids.map((id): [string, LostClass] => {
      const at = found.get(id);
      if (!at) return [id, 'never-stored'];
      const behind = at.offset < (reads.committed.get(at.partition) ?? -1);
      const skipped = at.offset < (firstSeen.get(at.partition) ?? Infinity);
      const delivered = seen(id) || (behind && !skipped);
      return [id, delivered ? 'delivered-unapplied' : 'stored-undelivered'];
    }),
  );
}
