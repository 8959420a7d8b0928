import type { TransportName } from '../../lib/envelope.ts';
import type { SinkRecord } from '../../lib/sink.ts';
import { driverFor } from '../../lib/transports/registry.ts';
import type { PendingState } from '../../lib/transports/types.ts';
import type { FaultWindow, HistoryIndex, IdState } from '../history-index.ts';
import { FAULT_PACKAGES } from '../nemesis/index.ts';
import type { CheckInput, InputName, SinkSource, TransportInput } from './types.ts';

/** Builds what the rules of one transport read from the check's input. */
export function transportInput(
  t: TransportName,
  index: HistoryIndex,
  input: CheckInput,
  extraPoison: ReadonlySet<string>,
): TransportInput {
  const ids = index.ids.get(t) ?? new Map<string, IdState>();
  const sinkSource = input.sink[t];
  const deadSource = input.deadLetters?.[t];
  const pending = pendingFor(input.pending, t);
  const ops = index.opLog.get(t);
  const lostLocations = input.lostLocations?.[t] ?? undefined;
  return {
    transport: t,
    ids,
    faults: index.faults,
    startWall: index.startWall,
    endTime: index.endTime,
    ...(ops ? { ops } : {}),
    ...(lostLocations ? { lostLocations } : {}),
    ...(input.limits ? { limits: input.limits } : {}),
    ...(sinkSource ? { sink: toSinkMap(sinkSource) } : {}),
    ...(pending ? { pending } : {}),
    ...(deadSource ? { deadLetters: new Set([...deadSource].map((d) => d.id)) } : {}),
    isPoison: (id) => !!ids.get(id)?.poison || extraPoison.has(id),
    sampleLimit: input.samplesPerAnomaly ?? 5,
    perKeyOrder: input.perKeyOrder?.[t] ?? driverFor(t).features.perKeyOrder,
    zombieFaults: zombieWindows(index, input),
  };
}

/** The fault windows of the kinds that allow zombies in this check. */
function zombieWindows(index: HistoryIndex, input: CheckInput): FaultWindow[] {
  const labels = new Set(input.zombieFaults ?? zombieFaultLabels());
  return index.faults.filter((f) => labels.has(f.fault));
}

/**
 * The history labels of the fault kinds that allow zombies: those whose package says so,
 * and `extra` kinds (a scenario's `allowsZombies`).
 */
export function zombieFaultLabels(extra: readonly string[] = []): string[] {
  const kinds = new Set(extra);
  return FAULT_PACKAGES.filter((p) => p.allowsZombies || kinds.has(p.kind)).map((p) => p.label);
}

/** Why a unit needing an input that is not there could not judge. */
export const MISSING: Record<InputName, (t: TransportName) => string> = {
  sink: (t) => `sink records for ${t} are missing`,
  pending: (t) => `pending state for ${t} is missing`,
  deadLetters: (t) => `dead letters for ${t} are missing`,
};

function isPair(row: unknown): row is readonly [string, SinkRecord] {
  return Array.isArray(row) && typeof row[0] === 'string';
}

/** Normalizes any accepted sink shape to a Map by id. */
export function toSinkMap(source: SinkSource): Map<string, SinkRecord> {
  if (source instanceof Map) return source as Map<string, SinkRecord>;
  const out = new Map<string, SinkRecord>();
  if (typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const row of source as Iterable<unknown>) {
      if (isPair(row)) out.set(row[0], row[1]);
      else if (row && typeof (row as { id?: unknown }).id === 'string') {
        const rec = row as SinkRecord;
        out.set(rec.id, rec);
      }
    }
    return out;
  }
  for (const [id, rec] of Object.entries(source as Record<string, SinkRecord>)) out.set(id, rec);
  return out;
}

function pendingFor(input: CheckInput['pending'], t: TransportName): PendingState | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const p of input as Iterable<PendingState>) if (p.transport === t) return p;
    return undefined;
  }
  return (input as Partial<Record<TransportName, PendingState | null>>)[t] ?? undefined;
}

/** A finite number, else 0: a torn sink row must not turn counts into NaN. */
export const num = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);

/** The record shows the effect applied at least once. */
export const applied = (rec: SinkRecord | undefined): rec is SinkRecord => num(rec?.effects) >= 1;
