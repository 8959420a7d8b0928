import type { TransportName } from '../../lib/envelope.ts';
import type { SinkRecord } from '../../lib/sink.ts';
import type { LostClass } from '../../lib/transports/driver.ts';
import type { DeadLetter, PendingState } from '../../lib/transports/types.ts';
import type { HistoryEntry } from '../history.ts';
import type { FaultWindow, HistoryIndex, IdState, OpLog } from '../history-index.ts';
import type { LatencySummary } from '../percentiles.ts';
import type { SAFETY_RULES } from './rules/index.ts';

/**
 * The checker's shapes: what it reads (`CheckInput`), what one rule or measure sees
 * (`TransportInput`) and returns (`UnitOutput`), and the composed result (`CheckResult`).
 */

/** Jepsen's three-valued validity. */
export type Validity = true | false | 'unknown';

/** A transport's sink records: `lib/sink.ts` rows, `[id, record]` pairs (a Map) or an object by id. */
export type SinkSource =
  | Iterable<SinkRecord>
  | Iterable<readonly [string, SinkRecord]>
  | Readonly<Record<string, SinkRecord>>;

type PerTransport<T> = Partial<Record<TransportName, T | null | undefined>>;

export interface CheckInput {
  history: Iterable<HistoryEntry>;
  /** Transports to judge (default: those in the history). */
  transports?: readonly TransportName[];
  /** Sink records per transport. Missing or null: unreadable, the transport is 'unknown'. */
  sink: PerTransport<SinkSource>;
  /** Broker state after the drain. Missing: 'unknown'. */
  pending?: PerTransport<PendingState> | Iterable<PendingState>;
  /** Dead letters per transport. Missing: 'unknown'. */
  deadLetters?: PerTransport<Iterable<DeadLetter>>;
  /** Poison ids sent, in addition to those marked on `invoke` entries. */
  poisonIds?: Iterable<string>;
  /** Problems the caller met while gathering inputs; each makes the result 'unknown'. */
  inputErrors?: readonly string[];
  /** Sample ids kept per anomaly (default 5). */
  samplesPerAnomaly?: number;
  /**
   * Whether a transport promises per-key order (the order rule is then a must-be-zero
   * rule; elsewhere it is reported). Default: its driver's `features.perKeyOrder`.
   */
  perKeyOrder?: Partial<Record<TransportName, boolean>>;
  /**
   * Labels of the fault kinds whose presence in the history lets two workers hold one event
   * at once (a paused or cut-off owner that wakes as a zombie): then the `concurrent` rule
   * reports overlaps without judging them. Default: the fault packages that declare
   * `allowsZombies`.
   */
  zombieFaults?: readonly string[];
  /** The history already indexed (a file streamed from disk); then `history` is not read. */
  index?: HistoryIndex;
  /** Where each lost id is, per transport (`TransportInspector.locate`); missing: unclassified. */
  lostLocations?: PerTransport<ReadonlyMap<string, LostClass>>;
  /** The scenario's availability limits; exceeding one breaks the `availability` rule. */
  limits?: AvailabilityLimits;
}

/** A scenario's bounds on each fault's availability figures (see `rules/availability.ts`). */
export interface AvailabilityLimits {
  /** Longest publish unavailability window of one fault, ms. */
  maxUnavailableMs?: number;
  /** Longest consumption stall of one fault, ms. */
  maxRecoveryMs?: number;
}

/** The inputs a unit may declare it needs; without them it is not run and is 'unknown'. */
export type InputName = 'sink' | 'pending' | 'deadLetters';

/** What every rule and measure reads: one transport's share of the inputs. */
export interface TransportInput {
  transport: TransportName;
  /** Fate of every id invoked on this transport. */
  ids: ReadonlyMap<string, IdState>;
  faults: readonly FaultWindow[];
  /** Sink records by id; undefined when unreadable. */
  sink?: ReadonlyMap<string, SinkRecord>;
  pending?: PendingState;
  /** Dead-lettered ids; undefined when unreadable. */
  deadLetters?: ReadonlySet<string>;
  /** Marked poison on an invoke or listed in `poisonIds`. */
  isPoison: (id: string) => boolean;
  /** Ids kept per sample list. */
  sampleLimit: number;
  /** The transport promises per-key order (see `CheckInput.perKeyOrder`). */
  perKeyOrder: boolean;
  /** The run's fault windows of kinds that allow zombies (see `CheckInput.zombieFaults`). */
  zombieFaults: readonly FaultWindow[];
  /** Completed requests of this transport; undefined when there were none. */
  ops?: OpLog;
  /** Wall time (ms epoch) at run time 0, and the run time of the last history entry. */
  startWall: number;
  endTime: number;
  lostLocations?: ReadonlyMap<string, LostClass>;
  limits?: AvailabilityLimits;
}

/** The input of a unit that declared `needs: K[]`: those inputs are there. */
export type Given<K extends InputName> = TransportInput & Required<Pick<TransportInput, K>>;

/** The counts of one transport, each owned by one unit (defaults: `ZERO` in compose.ts). */
export interface TransportCounts {
  /** Distinct ids invoked. */
  attempted: number;
  /** Distinct ids by best outcome over their attempts (ok > info > fail). */
  ok: number;
  fail: number;
  info: number;
  poisonSent: number;
  poisonOk: number;
  /** Sink records with at least one effect. */
  processed: number;
  lost: number;
  unexpected: number;
  doubleEffects: number;
  redeliveries: number;
  recovered: number;
  unrecovered: number;
  deadLettered: number;
  deadLetterMissing: number;
  deadLetterUnexpected: number;
  poisonEffects: number;
  /** Keyed events applied after an event later in their key's broker order. */
  orderInversions: number;
  /** Events stored before an event of their key that was acknowledged before they were sent. */
  nonmonotonicSends: number;
  /** Events two deliveries held at the same time. */
  concurrentDeliveries: number;
  /** Unacknowledged at the end; null when unknown. */
  pending: number | null;
  /** Lost ids by where they went (`measures/lost-classes.ts`). */
  lostNeverStored: number;
  lostStoredUndelivered: number;
  lostDeliveredUnapplied: number;
  /** Lost ids the brokers could not place (not asked, or no answer). */
  lostUnclassified: number;
}

/** Per-transport results that are not counts. */
export interface TransportFields {
  pendingDetail: Record<string, number>;
  /** End to end: from the invoke of the acknowledged request to the first sink effect. */
  latencyMs: LatencySummary;
  /** The class of each sampled lost id (the `lost` samples), `unclassified` if unknown. */
  lostClasses?: Record<string, LostClass | 'unclassified'>;
  /** Longest publish unavailability and consumption stall over the faults, ms. */
  unavailableMaxMs?: number;
  stallMaxMs?: number;
  /** Each exceeded availability limit, the figure named (`rules/availability.ts`). */
  availabilityBreaches?: string[];
}

/** Recovery of one transport after one healed fault (see `measures/recovery.ts`). */
export interface RecoveryMeasure {
  firstEffectMs: number | null;
  backlogMs: number | null;
  longestGapMs: number;
  /** Publish unavailability window, ms (0: no request failed); see `rules/availability.ts`. */
  unavailableMs?: number;
  /** Consumption stall: longest time events waited and none was applied, ms. */
  stallMs?: number;
}

/** What a rule or measure returns; the composer merges these (Jepsen's `compose`). */
export interface UnitOutput {
  counts?: Partial<TransportCounts>;
  /** Sample ids by kind (an anomaly name or a reported class such as `redelivered`). */
  samples?: Readonly<Record<string, readonly string[]>>;
  fields?: Partial<TransportFields>;
  /** One entry per fault window, in `TransportInput.faults` order; units' figures merge. */
  recovery?: readonly Partial<RecoveryMeasure>[];
  /** Why this unit could not judge; makes it (and the transport) 'unknown'. */
  unknown?: readonly string[];
}

/** A safety rule's output names its anomaly when broken: the transport is then invalid. */
export interface RuleOutput<N extends string> extends UnitOutput {
  anomalies: readonly N[];
}

/** One column of the summary table, the report's counts table and result.json's `table`. */
export interface Column {
  /** Key in result.json's `table`. */
  key: string;
  /** Terminal table header (narrow). */
  short: string;
  /** Row name in the HTML report. */
  label: string;
  value(r: TransportResult<string>): number | string | null;
  /** Shown for a null value (default '-'). */
  blank?: string;
  /** In the terminal table too (default true); the report and result.json show every column. */
  terminal?: boolean;
}

interface Unit<K extends InputName> {
  name: string;
  /** Inputs without which the unit cannot judge. */
  needs: readonly K[];
  columns: readonly Column[];
}

/** A must-be-zero rule: any breach makes the transport invalid, named `name`. */
export interface SafetyRule<
  N extends string = string,
  K extends InputName = InputName,
> extends Unit<K> {
  name: N;
  run(input: Given<K>): RuleOutput<N>;
}

/** A reported measure: never invalid, 'unknown' only when it cannot measure. */
export interface Measure<K extends InputName = InputName> extends Unit<K> {
  run(input: Given<K>): UnitOutput;
}

/** The anomaly names, one per safety rule. */
export type AnomalyKind = (typeof SAFETY_RULES)[number]['name'];

export interface TransportResult<A extends string = AnomalyKind>
  extends TransportCounts, TransportFields {
  valid: Validity;
  anomalies: A[];
  unknownReasons: string[];
  /** Each rule's and measure's own verdict, by name. */
  checks: Record<string, Validity>;
}

/**
 * Recovery after one healed fault, per transport:
 * - `firstEffectMs`: heal -> first sink effect after it (null: nothing processed after).
 * - `backlogMs`: heal -> last effect of the events sent before the heal, i.e. how long
 *   the backlog built during the fault took to clear (0 if it was already clear).
 * - `longestGapMs`: longest stretch without any effect inside the fault window, edges
 *   included: how long consumption stalled.
 */
export interface RecoveryWindow {
  fault: string;
  target?: string;
  /** Run times (ms since start). */
  start: number;
  heal: number;
  perTransport: Partial<Record<TransportName, RecoveryMeasure>>;
}

export interface CheckResult<A extends string = AnomalyKind> {
  valid: Validity;
  /** Broken rules, e.g. `['lost', 'pending']`, in rule order. */
  anomalies: A[];
  /** Why the result is (also) unknown. */
  unknownReasons: string[];
  /** Sums over transports. */
  counts: TransportCounts;
  perTransport: Partial<Record<TransportName, TransportResult<A>>>;
  recovery: RecoveryWindow[];
  /** A few ids per broken rule and per reported class, keyed `transport/kind`. */
  samples: Record<string, string[]>;
}
