import type { TransportName } from '../lib/envelope.ts';
import { isOp, type FaultEntry, type HistoryEntry, type PhaseEntry } from './history.ts';

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
}

const RANK: Record<IdOutcome, number> = { fail: 0, info: 1, ok: 2 };

export function indexHistory(history: Iterable<HistoryEntry>): HistoryIndex {
  let startWall: number | undefined;
  let endTime = 0;
  let ops = 0;
  const transports = new Set<TransportName>();
  // Open invoke per process (its wall time), to pair completions.
  const openInvokes = new Map<string, number>();
  const openFaults: FaultEntry[] = [];
  const faults: FaultWindow[] = [];
  const phases: PhaseEntry[] = [];

  // While reading: best completion so far and completions seen; resolved at the end.
  type Pending = IdState & { best?: IdOutcome; done: number };
  const raw = new Map<TransportName, Map<string, Pending>>();
  const idsOf = (t: TransportName): Map<string, Pending> => {
    let m = raw.get(t);
    if (!m) {
      m = new Map<string, Pending>();
      raw.set(t, m);
    }
    return m;
  };

  for (const entry of history) {
    startWall ??= entry.wall - entry.time;
    endTime = Math.max(endTime, entry.time);
    if (entry.type === 'meta') {
      entry.transports.forEach((t) => transports.add(t));
      continue;
    }
    if (entry.type === 'phase') {
      phases.push(entry);
      continue;
    }
    if (entry.type === 'fault') {
      if (entry.phase === 'start') openFaults.push(entry);
      else {
        const i = openFaults.findIndex((f) => f.fault === entry.fault && f.target === entry.target);
        const start = i >= 0 ? openFaults.splice(i, 1)[0] : undefined;
        faults.push(window(start ?? entry, entry));
      }
      continue;
    }
    if (!isOp(entry)) continue;
    transports.add(entry.transport);
    const key = `${entry.transport}/${entry.process}`;
    const map = idsOf(entry.transport);
    if (entry.type === 'invoke') {
      ops++;
      openInvokes.set(key, entry.wall);
      const poison = new Set(entry.poison ?? []);
      for (const id of entry.ids) {
        const state = map.get(id);
        if (state) {
          state.attempts++;
          state.poison ||= poison.has(id);
        } else {
          map.set(id, {
            outcome: 'info',
            attempts: 1,
            done: 0,
            poison: poison.has(id),
            firstInvokeTime: entry.time,
            invokeWall: entry.wall,
          });
        }
      }
      continue;
    }
    const invokeWall = openInvokes.get(key);
    openInvokes.delete(key);
    const outcome: IdOutcome = entry.type;
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
  for (const start of openFaults) faults.push(window(start, undefined));
  faults.sort((a, b) => a.start - b.start);

  const ids = new Map<TransportName, Map<string, IdState>>();
  for (const [t, map] of raw) {
    const out = new Map<string, IdState>();
    for (const [id, { best, done, ...state }] of map) {
      // An attempt that never completed is indeterminate, like a crashed Jepsen process.
      const unfinished = done < state.attempts ? 'info' : undefined;
      const candidates = [best, unfinished].filter((x): x is IdOutcome => x !== undefined);
      state.outcome = candidates.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'fail');
      out.set(id, state);
    }
    ids.set(t, out);
  }
  return {
    startWall: startWall ?? 0,
    endTime,
    transports: [...transports],
    ids,
    faults,
    phases,
    ops,
  };
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
