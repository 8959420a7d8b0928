import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { TRANSPORTS, type TransportName } from '../lib/envelope.ts';
import type { HistoryEntry, SampleEntry } from './history.ts';
import { packageByLabel } from './nemesis/index.ts';

/**
 * The report's process timeline: what happened to the workers, on the run's time axis.
 * Kills, pauses and restarts come from the fault entries of the history, respawns from
 * the pools' restart counts (sampled from /state during the run), and deaths, rebalances
 * and claims from the pools' own log lines, where they log them.
 */
export interface ProcessEvent {
  transport: TransportName;
  /** Seconds since the run's start. */
  second: number;
  kind: string;
}

/** Pool log messages worth a mark, and the mark's kind. */
const LOG_KINDS: Readonly<Record<string, string>> = {
  'worker died; respawning': 'died',
  'worker crash-looping; backing off': 'died',
  'The group is rebalancing, re-joining': 'rebalance',
  'claimed idle entries': 'claim',
  draining: 'drain',
};

/** Most marks kept per transport and source, so a long soak's page stays small. */
const MAX_PER_SOURCE = 2000;

const isTransport = (t: string): t is TransportName =>
  (TRANSPORTS as readonly string[]).includes(t);

/** Transports a fault entry's target names (`kafka:123,redis:456` or `kafka,redis`). */
function targetsOf(target: string | undefined): TransportName[] {
  const names = (target ?? '').split(',').map((token) => token.split(':')[0] ?? '');
  return [...new Set(names.filter(isTransport))];
}

/** Kills, pauses and other pool faults, from the history's fault entries. */
export function faultProcessEvents(others: readonly HistoryEntry[]): ProcessEvent[] {
  const out: ProcessEvent[] = [];
  for (const e of others) {
    if (e.type !== 'fault') continue;
    const pkg = packageByLabel(e.fault);
    if (!pkg?.hitsPools || (e.phase === 'heal' && pkg.instant)) continue;
    const kind = e.phase === 'start' ? e.fault : `${e.fault} healed`;
    for (const transport of targetsOf(e.target))
      out.push({ transport, second: e.time / 1000, kind });
  }
  return out;
}

/** A respawn mark wherever a pool's restart count went up between two samples. */
export function respawnEvents(others: readonly HistoryEntry[]): ProcessEvent[] {
  const last = new Map<TransportName, number>();
  const out: ProcessEvent[] = [];
  for (const e of others) {
    if (e.type !== 'sample' || e.restarts === null) continue;
    const before = last.get(e.transport);
    last.set(e.transport, e.restarts);
    // A restarted pool counts from 0 again.
    if (before !== undefined && e.restarts > before)
      out.push({ transport: e.transport, second: e.time / 1000, kind: 'respawn' });
  }
  return out.slice(0, MAX_PER_SOURCE * TRANSPORTS.length);
}

/** The pools' log lines that mark a process event (pino JSON: `time`, `msg`). */
export async function logProcessEvents(
  logs: readonly { transport: TransportName; path: string }[],
  startWall: number,
): Promise<ProcessEvent[]> {
  const out: ProcessEvent[] = [];
  for (const { transport, path } of logs) {
    let kept = 0;
    const stream = createReadStream(path);
    const missing = new Promise<void>((resolve) => stream.on('error', () => resolve()));
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    const read = (async () => {
      for await (const line of lines) {
        const mark = markOf(line, transport, startWall);
        if (mark && kept++ < MAX_PER_SOURCE) out.push(mark);
      }
    })();
    await Promise.race([read.catch(() => undefined), missing]);
  }
  return out;
}

function markOf(
  line: string,
  transport: TransportName,
  startWall: number,
): ProcessEvent | undefined {
  if (!line.includes('"msg"')) return undefined;
  try {
    const { msg, time } = JSON.parse(line) as { msg?: unknown; time?: unknown };
    const kind = typeof msg === 'string' ? LOG_KINDS[msg] : undefined;
    if (kind === undefined || typeof time !== 'number') return undefined;
    return { transport, second: (time - startWall) / 1000, kind };
  } catch {
    return undefined;
  }
}

/** The lag samples of the history, as plot points. */
export function lagPoints(others: readonly HistoryEntry[]) {
  return others
    .filter((e): e is SampleEntry => e.type === 'sample' && e.pending !== null)
    .map((e) => ({ transport: e.transport, second: e.time / 1000, pending: e.pending ?? 0 }));
}
