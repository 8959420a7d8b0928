import { closeSync, openSync, writeSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { TransportName } from '../lib/envelope.ts';

/**
 * The Jepsen-style history of a run. Every publish is an `invoke`, then exactly one
 * completion for the same process and ids: `ok` (2xx: durably in the broker), `fail`
 * (definite: nothing was sent, must never be processed) or `info` (indeterminate: may or
 * may not be processed). Fault start/heal pairs and phase markers share the timeline.
 *
 * Times: `time` is ms since the run's start on a monotonic clock (for ordering and plots);
 * `wall` is ms since the epoch (to compare with the sink's `firstEffectMs`).
 */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

export interface OpEntry {
  type: OpType;
  /** Client process id. A process that saw `info` is retired and replaced (Jepsen). */
  process: number;
  transport: TransportName;
  /** Every event id of the request (a batch covers several). */
  ids: string[];
  time: number;
  wall: number;
  /** On `invoke`: the ids of the batch that are poison events. */
  poison?: string[];
  /** On `invoke`: each event's key, in `ids` order, when the events carry keys. */
  keys?: string[];
  /** HTTP status of the completion, when there was an answer. */
  status?: number;
  /** Error code or short reason of a `fail`/`info` (e.g. `ECONNREFUSED`, `timeout`). */
  error?: string;
}

export interface FaultEntry {
  type: 'fault';
  phase: 'start' | 'heal';
  /** Fault kind, e.g. `kill-worker`, `toxic`. */
  fault: string;
  /** What it hit: a proxy, a pool, a pid, a server. */
  target?: string;
  time: number;
  wall: number;
  detail?: Record<string, unknown>;
}

export type RunPhase = 'setup' | 'load' | 'heal' | 'drain' | 'check' | 'done';

export interface PhaseEntry {
  type: 'phase';
  phase: RunPhase;
  time: number;
  wall: number;
}

/** First line of a history file: what ran, so a history can be read on its own. */
export interface MetaEntry {
  type: 'meta';
  scenario: string;
  seed: string;
  transports: TransportName[];
  time: number;
  wall: number;
  detail?: Record<string, unknown>;
}

/**
 * What the harness sampled of one transport about once a second during the run: the
 * broker's pending count (lag) and the pool's restart count (from its /state), each null
 * when it could not be read in time.
 */
export interface SampleEntry {
  type: 'sample';
  transport: TransportName;
  pending: number | null;
  restarts: number | null;
  time: number;
  wall: number;
}

export type HistoryEntry = OpEntry | FaultEntry | PhaseEntry | MetaEntry | SampleEntry;

export function isOp(entry: HistoryEntry): entry is OpEntry {
  return (
    entry.type === 'invoke' || entry.type === 'ok' || entry.type === 'fail' || entry.type === 'info'
  );
}

/** Where entries go. The file writer, an array (tests) and fan-outs all fit. */
export interface HistorySink {
  append(entry: HistoryEntry): void;
}

/** One clock for a run: monotonic offsets from start plus wall time. */
export interface RunClock {
  readonly startWall: number;
  now(): { time: number; wall: number };
}

export function createClock(): RunClock {
  const startMono = performance.now();
  const startWall = Date.now();
  return {
    startWall,
    now() {
      const time = Math.round((performance.now() - startMono) * 1000) / 1000;
      return { time, wall: startWall + Math.round(time) };
    },
  };
}

/** An in-memory history (tests, small runs). */
export function createMemoryHistory(): HistorySink & { entries: HistoryEntry[] } {
  const entries: HistoryEntry[] = [];
  return { entries, append: (entry) => void entries.push(entry) };
}

export interface HistoryWriterOptions {
  /** Buffered bytes that trigger a write (default 64 KiB); bounds memory. */
  flushBytes?: number;
  /** Longest time an entry waits in the buffer (default 500 ms), so a crash loses little. */
  flushIntervalMs?: number;
}

export interface HistoryWriter extends HistorySink {
  readonly path: string;
  /** Entries appended so far. */
  readonly count: number;
  flush(): void;
  /** Flushes and closes the file. Idempotent; appends after close are dropped. */
  close(): void;
}

/**
 * Streams entries to an NDJSON file as they happen. Writes are synchronous and in chunks:
 * memory stays bounded by `flushBytes` whatever the run length, and the file is complete
 * up to the last flush even if the harness dies.
 */
export function createHistoryWriter(
  path: string,
  options: HistoryWriterOptions = {},
): HistoryWriter {
  const flushBytes = options.flushBytes ?? 64 * 1024;
  const fd = openSync(path, 'a');
  let buffer: string[] = [];
  let buffered = 0;
  let count = 0;
  let closed = false;
  const flush = () => {
    if (buffer.length === 0 || closed) return;
    const chunk = buffer.join('');
    buffer = [];
    buffered = 0;
    writeSync(fd, chunk);
  };
  const timer = setInterval(flush, options.flushIntervalMs ?? 500);
  timer.unref();
  return {
    path,
    get count() {
      return count;
    },
    append(entry) {
      if (closed) return;
      const line = serializeEntry(entry);
      buffer.push(line);
      buffered += line.length;
      count++;
      if (buffered >= flushBytes) flush();
    },
    flush,
    close() {
      if (closed) return;
      flush();
      closed = true;
      clearInterval(timer);
      closeSync(fd);
    },
  };
}

export function serializeEntry(entry: HistoryEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

const ENTRY_TYPES = new Set(['invoke', 'ok', 'fail', 'info', 'fault', 'phase', 'meta', 'sample']);

/** Parses one NDJSON line; `undefined` for blank or malformed lines (a torn last line). */
export function parseEntry(line: string): HistoryEntry | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null) return undefined;
    const { type, time } = value as { type?: unknown; time?: unknown };
    if (typeof type !== 'string' || !ENTRY_TYPES.has(type) || typeof time !== 'number') {
      return undefined;
    }
    return value as HistoryEntry;
  } catch {
    return undefined;
  }
}

export function parseHistory(text: string): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    const entry = parseEntry(line);
    if (entry) out.push(entry);
  }
  return out;
}

/** Streams a history file back, one entry at a time, skipping malformed lines. */
export async function* readHistory(path: string): AsyncGenerator<HistoryEntry> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    const entry = parseEntry(line);
    if (entry) yield entry;
  }
}

export async function loadHistory(path: string): Promise<HistoryEntry[]> {
  const out: HistoryEntry[] = [];
  for await (const entry of readHistory(path)) out.push(entry);
  return out;
}
