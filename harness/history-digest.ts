import type { TransportName } from '../lib/envelope.ts';
import { isOp, readHistory, type HistoryEntry } from './history.ts';
import { createHistoryIndexer, type HistoryIndex } from './history-index.ts';

/**
 * One pass over a history for everything that reads it after the run: the index (the
 * checker), events sent and acknowledged per second (the report), and the few entries that
 * are not operations (faults, phases, meta, samples: the expectations, the report). Read
 * from the file as a stream, so a run of 10^6 events never holds its history in memory.
 */
export interface RateBin {
  transport: TransportName;
  series: 'sent' | 'acked';
  /** Start of the one-second bin, seconds since the run's start. */
  second: number;
  events: number;
}

export interface HistoryDigest {
  index: HistoryIndex;
  rates: RateBin[];
  /** Every entry that is not an invoke or a completion, in history order. */
  others: HistoryEntry[];
}

interface DigestBuilder {
  add(entry: HistoryEntry): void;
  finish(): HistoryDigest;
}

function createDigestBuilder(): DigestBuilder {
  const indexer = createHistoryIndexer();
  const bins = new Map<string, RateBin>();
  const others: HistoryEntry[] = [];
  const bump = (transport: TransportName, series: RateBin['series'], timeMs: number, n: number) => {
    const second = Math.max(0, Math.floor(timeMs / 1000));
    const key = `${transport}/${series}/${second}`;
    const bin = bins.get(key);
    if (bin) bin.events += n;
    else bins.set(key, { transport, series, second, events: n });
  };
  return {
    add(entry) {
      indexer.add(entry);
      if (!isOp(entry)) others.push(entry);
      else if (entry.type === 'invoke') bump(entry.transport, 'sent', entry.time, entry.ids.length);
      else if (entry.type === 'ok') bump(entry.transport, 'acked', entry.time, entry.ids.length);
    },
    finish: () => ({
      index: indexer.finish(),
      rates: [...bins.values()].sort((a, b) => a.second - b.second),
      others,
    }),
  };
}

export function digestHistory(history: Iterable<HistoryEntry>): HistoryDigest {
  const builder = createDigestBuilder();
  for (const entry of history) builder.add(entry);
  return builder.finish();
}

/** The digest of a history file, read line by line. */
export async function digestHistoryFile(path: string): Promise<HistoryDigest> {
  const builder = createDigestBuilder();
  for await (const entry of readHistory(path)) builder.add(entry);
  return builder.finish();
}
