import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../lib/config.ts';
import type { TransportName } from '../lib/envelope.ts';
import { errorMessage } from '../lib/errors.ts';
import { withTimeout } from '../lib/with-timeout.ts';
import type { Sink, SinkRecord } from '../lib/sink.ts';
import type { LostClass } from '../lib/transports/driver.ts';
import { driverFor } from '../lib/transports/registry.ts';
import type { DeadLetter, PendingState } from '../lib/transports/types.ts';
import { applied, toSinkMap } from './checker/inputs.ts';
import { lostIds } from './checker/lost-ids.ts';
import type { CheckInput } from './checker/index.ts';
import type { HistoryIndex } from './history-index.ts';

/**
 * What the checker judges besides the history: the sink and the brokers' state, read over
 * the never-faulted direct endpoints once the run has drained.
 */

/** Longest a single read of broker or sink state may take before it counts as unreadable. */
const READ_TIMEOUT_MS = 30_000;

const bounded = <T>(read: Promise<T>): Promise<T> =>
  withTimeout(read, READ_TIMEOUT_MS, () => new Error(`no answer within ${READ_TIMEOUT_MS} ms`));

/** Waits until no transport has anything unacknowledged, or the bound passes. */
export async function waitForDrain(
  transports: readonly TransportName[],
  config: Config,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const states = await Promise.allSettled(
      transports.map((t) => bounded(driverFor(t).inspect(config).pending())),
    );
    if (states.every((s) => s.status === 'fulfilled' && s.value.pending === 0)) return;
    await sleep(500);
  }
}

/** Reads every input; what cannot be read becomes null plus a reason (the check is then 'unknown'). */
export async function gatherCheckInputs(
  transports: readonly TransportName[],
  config: Config,
  sink: Sink,
): Promise<Required<Pick<CheckInput, 'sink' | 'pending' | 'deadLetters' | 'inputErrors'>>> {
  const inputErrors: string[] = [];
  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await bounded(fn());
    } catch (err) {
      inputErrors.push(`${what}: ${errorMessage(err)}`);
      return null;
    }
  };
  const sinkRecords: Partial<Record<TransportName, Map<string, SinkRecord> | null>> = {};
  const pending: Partial<Record<TransportName, PendingState | null>> = {};
  const deadLetters: Partial<Record<TransportName, DeadLetter[] | null>> = {};
  for (const t of transports) {
    sinkRecords[t] = await attempt(`${t} sink`, () => readSink(sink, t));
    const inspector = driverFor(t).inspect(config);
    pending[t] = await attempt(`${t} pending`, () => inspector.pending());
    deadLetters[t] = await attempt(`${t} dead letters`, () => inspector.deadLetters());
  }
  return { sink: sinkRecords, pending, deadLetters, inputErrors };
}

/** Every sink record of a transport, by id (one HSCAN page at a time). */
export async function readSink(
  sink: Sink,
  transport: TransportName,
): Promise<Map<string, SinkRecord>> {
  const records = new Map<string, SinkRecord>();
  for await (const page of sink.scan(transport)) {
    // HSCAN may return a field twice; the Map keeps one record per id.
    for (const r of page) records.set(r.id, r);
  }
  return records;
}

/** Events with an effect so far, per transport (NaN where the sink does not answer). */
export async function processedCounts(
  sink: Sink,
  transports: readonly TransportName[],
): Promise<Partial<Record<TransportName, number>>> {
  const out: Partial<Record<TransportName, number>> = {};
  for (const t of transports) {
    out[t] = await sink.counts(t).then(
      (c) => c.records,
      () => NaN,
    );
  }
  return out;
}

/** Of `ids`, those the sink counted a receipt of (transports whose broker counts no deliveries). */
export type ReceivedReader = (
  t: TransportName,
  ids: readonly string[],
) => Promise<ReadonlySet<string>>;

/** Reading a whole topic or stream to place lost ids may take longer than one state read. */
const LOCATE_TIMEOUT_MS = 300_000;

/**
 * Asks each broker where the ids the `lost` rule will count went (`TransportInspector.locate`),
 * only when there are any: a valid run costs nothing here. What cannot be asked becomes a
 * reason; those ids stay unclassified.
 */
export async function locateLost(
  transports: readonly TransportName[],
  config: Config,
  index: HistoryIndex,
  sink: CheckInput['sink'],
  received: ReceivedReader,
): Promise<{
  locations: Partial<Record<TransportName, Map<string, LostClass>>>;
  errors: string[];
}> {
  const locations: Partial<Record<TransportName, Map<string, LostClass>>> = {};
  const errors: string[] = [];
  for (const t of transports) {
    const source = sink[t];
    const ids = index.ids.get(t);
    if (!source || !ids) continue;
    const records = toSinkMap(source);
    const lost = [...lostIds(ids, records, (id) => ids.get(id)?.poison === true)];
    if (lost.length === 0) continue;
    const driver = driverFor(t);
    try {
      // Where the broker counts no deliveries, the sink's receipts say who got what.
      const got =
        driver.features.deliveryCount === 'receipts' ? await received(t, lost) : new Set();
      const seen = (id: string) => got.has(id) || applied(records.get(id));
      const locate = driver.inspect(config).locate(lost, seen);
      locations[t] = await withTimeout(locate, LOCATE_TIMEOUT_MS, () => new Error('no answer'));
    } catch (err) {
      errors.push(`${t} lost classification: ${errorMessage(err)}`);
    }
  }
  return { locations, errors };
}
