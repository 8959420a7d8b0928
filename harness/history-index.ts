import type { TransportName } from '../lib/envelope.ts';
import {
  isOp,
  type FaultEntry,
  type HistoryEntry,
  type OpEntry,
  type PhaseEntry,
} from './history.ts';

/**
 * One pass over a history, shared by the checker and the report: the fate of every id,
 * fault windows and phase times. Pure; tolerates torn histories (an invoke with no
 * completion counts as `info`, as Jepsen treats a crashed process).
 */
export type IdOutcome = 'ok' | 'fail' | 'info';

export interface IdState {
  /** Best outcome over all attempts: ok > info > fail. */
  outcome: IdOutcome;
  attempts: number;
  poison: boolean;
  /** The event's key, when it was sent with one (the first invoke's). */
  key?: string;
  /** Run time (ms) of the first invoke. */
  firstInvokeTime: number;
  /** Wall time (ms epoch) of the invoke whose completion decided `outcome`. */
  invokeWall: number;
  /** Run time of the completion that was `ok`, if any. */
  okTime?: number;
}

export interface FaultWindow {
  fault: string;
  target?: string;
  /** Run times (ms); `heal` equals `start` for instantaneous faults or missing heals. */
  start: number;
  heal: number;
  startWall: number;
  healWall: number;
  healed: boolean;
}

/**
 * Every completed request of one transport, in completion order, as parallel arrays (run
 * times, ms): three numbers per request, so 10^6 requests cost tens of MB, not objects.
 */
export interface OpLog {
  invoke: number[];
  done: number[];
  /** 1 for `ok`, 0 for `fail` or `info`. */
  ok: number[];
}

export interface HistoryIndex {
  /** Wall time (ms epoch) at run time 0. */
  startWall: number;
  /** Run time of the last entry. */
  endTime: number;
  transports: TransportName[];
  ids: Map<TransportName, Map<string, IdState>>;
  faults: FaultWindow[];
  phases: PhaseEntry[];
  ops: number;
  /** Completed requests per transport (the availability rule reads them). */
  opLog: Map<TransportName, OpLog>;
}

/** Reads a history one entry at a time (a file streamed from disk), then resolves it. */
export interface HistoryIndexer {
  add(entry: HistoryEntry): void;
  finish(): HistoryIndex;
}

const RANK: Record<IdOutcome, number> = { fail: 0, info: 1, ok: 2 };

/** While reading: best completion so far and completions seen; resolved at the end. */
type PendingId = IdState & { best?: IdOutcome; done: number };

/** What one pass accumulates before the outcomes are resolved. */
interface Reading {
  startWall: number | undefined;
  endTime: number;
  ops: number;
  transports: Set<TransportName>;
  /** Open invoke per process (its wall and run time), to pair completions. */
  openInvokes: Map<string, { wall: number; time: number }>;
  opLog: Map<TransportName, OpLog>;
  openFaults: FaultEntry[];
  faults: FaultWindow[];
  phases: PhaseEntry[];
  ids: Map<TransportName, Map<string, PendingId>>;
}

export function indexHistory(history: Iterable<HistoryEntry>): HistoryIndex {
  const indexer = createHistoryIndexer();
  for (const entry of history) indexer.add(entry);
  return indexer.finish();
}

export function createHistoryIndexer(): HistoryIndexer {
  const r: Reading = {
    startWall: undefined,
    endTime: 0,
    ops: 0,
    transports: new Set(),
    openInvokes: new Map(),
    opLog: new Map(),
    openFaults: [],
    faults: [],
    phases: [],
    ids: new Map(),
  };
  return {
    add(entry) {
      r.startWall ??= entry.wall - entry.time;
      r.endTime = Math.max(r.endTime, entry.time);
      if (entry.type === 'meta') entry.transports.forEach((t) => r.transports.add(t));
      else if (entry.type === 'phase') r.phases.push(entry);
      else if (entry.type === 'fault') readFault(r, entry);
      else if (isOp(entry)) {
        r.transports.add(entry.transport);
        if (entry.type === 'invoke') readInvoke(r, entry);
        else readCompletion(r, entry, entry.type);
      }
    },
    finish() {
      for (const start of r.openFaults) r.faults.push(window(start, undefined));
      r.openFaults = [];
      r.faults.sort((a, b) => a.start - b.start);
      return {
        startWall: r.startWall ?? 0,
        endTime: r.endTime,
        transports: [...r.transports],
        ids: resolveOutcomes(r.ids),
        faults: r.faults,
        phases: r.phases,
        ops: r.ops,
        opLog: r.opLog,
      };
    },
  };
}

/** A start opens a window; a heal closes the matching open one (or stands alone). */
function readFault(r: Reading, entry: FaultEntry): void {
  if (entry.phase === 'start') {
    r.openFaults.push(entry);
    return;
  }
  const i = r.openFaults.findIndex((f) => f.fault === entry.fault && f.target === entry.target);
  const start = i >= 0 ? r.openFaults.splice(i, 1)[0] : undefined;
  r.faults.push(window(start ?? entry, entry));
}

function idsOf(r: Reading, t: TransportName): Map<string, PendingId> {
  let m = r.ids.get(t);
  if (!m) {
    m = new Map<string, PendingId>();
    r.ids.set(t, m);
  }
  return m;
}

/** One more attempt for each id; the first invoke of an id starts its state. */
function readInvoke(r: Reading, entry: OpEntry): void {
  const map = idsOf(r, entry.transport);
  r.ops++;
  r.openInvokes.set(`${entry.transport}/${entry.process}`, { wall: entry.wall, time: entry.time });
  const poison = new Set(entry.poison ?? []);
  entry.ids.forEach((id, i) => {
    const state = map.get(id);
    if (state) {
      state.attempts++;
      state.poison ||= poison.has(id);
    } else {
      const key = entry.keys?.[i];
      map.set(id, {
        outcome: 'info',
        attempts: 1,
        done: 0,
        poison: poison.has(id),
        ...(key !== undefined ? { key } : {}),
        firstInvokeTime: entry.time,
        invokeWall: entry.wall,
      });
    }
  });
}

/** Pairs a completion with its process's open invoke and keeps each id's best outcome. */
function readCompletion(r: Reading, entry: OpEntry, outcome: IdOutcome): void {
  const map = idsOf(r, entry.transport);
  const key = `${entry.transport}/${entry.process}`;
  const invoke = r.openInvokes.get(key);
  const invokeWall = invoke?.wall;
  r.openInvokes.delete(key);
  if (invoke) logOp(r, entry.transport, invoke.time, entry.time, outcome);
  for (const id of entry.ids) {
    const state = map.get(id);
    if (!state) continue; // a completion without invoke: the id was never attempted
    state.done++;
    if (state.best === undefined || RANK[outcome] > RANK[state.best]) {
      state.best = outcome;
      if (invokeWall !== undefined) state.invokeWall = invokeWall;
    }
    if (outcome === 'ok') state.okTime ??= entry.time;
  }
}

function logOp(r: Reading, t: TransportName, invoke: number, done: number, outcome: IdOutcome) {
  let log = r.opLog.get(t);
  if (!log) {
    log = { invoke: [], done: [], ok: [] };
    r.opLog.set(t, log);
  }
  log.invoke.push(invoke);
  log.done.push(done);
  log.ok.push(outcome === 'ok' ? 1 : 0);
}

/** Each id's final outcome: its best completion, or `info` if an attempt never completed. */
function resolveOutcomes(
  raw: Map<TransportName, Map<string, PendingId>>,
): Map<TransportName, Map<string, IdState>> {
  // In place: a copy per id would double the index's peak memory on a run of 10^6 events.
  // The reading fields stay on the states; nothing reads them after this.
  for (const map of raw.values()) {
    for (const state of map.values()) {
      const { best, done } = state;
      // An attempt that never completed is indeterminate, like a crashed Jepsen process.
      const unfinished = done < state.attempts ? 'info' : undefined;
      const candidates = [best, unfinished].filter((x): x is IdOutcome => x !== undefined);
      state.outcome = candidates.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'fail');
    }
  }
  return raw;
}

function window(start: FaultEntry, heal: FaultEntry | undefined): FaultWindow {
  const end = heal ?? start;
  return {
    fault: start.fault,
    ...(start.target !== undefined ? { target: start.target } : {}),
    start: start.time,
    heal: end.time,
    startWall: start.wall,
    healWall: end.wall,
    healed: heal !== undefined,
  };
}
