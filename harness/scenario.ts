import type { Topology } from './infra/types.ts';
import type { TransportName } from '../lib/envelope.ts';
import type { FaultKind, FaultSpec } from './nemesis/index.ts';

/**
 * A scenario is data: what load to send, which workers to run, which faults to inject
 * when, and which signals prove the faults actually bit. The runner interprets it; the
 * checker's safety rules (nothing lost, nothing doubled, nothing pending) always apply.
 * Times in the schedule are seconds from the start of the load phase. The catalogue in
 * `scenarios/` is written in these types; the fault kinds are the packages of
 * `harness/nemesis/`.
 */
export interface Scenario {
  /** Kebab-case, the CLI name (`npm run scenario <name>`). */
  name: string;
  description: string;
  /** Transports it runs on (default: all three). */
  transports?: readonly TransportName[];
  load: LoadSpec;
  workers: WorkersSpec;
  /** Timed faults. Steps may overlap. */
  schedule: readonly FaultStep[];
  /** A seeded random mix appended to `schedule` (the `chaos` scenario). */
  chaos?: ChaosSpec;
  expectations: Expectations;
  /**
   * Fault kinds that may leave zombies in this scenario besides those whose package says so
   * (`allowsZombies`: pause-worker, proxy-down): where one ran, two workers holding one event
   * at once is reported, not an anomaly.
   */
  allowsZombies?: readonly FaultKind[];
  /** Which brokers it needs (default `single`); `cluster` faults aim at replicated roles. */
  infra?: Topology;
  /** Bounds of the final phase, in seconds (defaults: drain 30). */
  timeouts?: { drainSec?: number };
  /**
   * Availability limits per fault and transport; exceeding one fails the run, naming the
   * figure (the checker's `availability` rule). The longest publish unavailability window
   * (first failed request after the fault began to the next ok), ms.
   */
  maxUnavailableMs?: number;
  /** The longest consumption stall of one fault (events waiting, none applied), ms. */
  maxRecoveryMs?: number;
}

export interface LoadSpec {
  /** Events per transport. */
  messages: number;
  /** Events per second per transport. */
  ratePerSec: number;
  /** Requests in flight per transport. */
  concurrency: number;
  /** Events per request. */
  batchSize: number;
  /** Fraction of events with `payload.poison = true` (default 0). */
  poisonFraction?: number;
  /** Approximate payload size in bytes (default 64). */
  payloadBytes?: number;
  /** Stop issuing after this many seconds (default: twice the nominal load time + 10 s). */
  durationSec?: number;
  /** Keyed streams: events cycle over this many keys (default: no key, the id is the key). */
  keys?: number;
  /** With `keys`: each key's next event is sent only once its previous one completed. */
  sequential?: boolean;
}

export interface WorkersSpec {
  /** Workers per pool (one pool per transport). */
  size: number;
  /** Simulated work per event, ms (WORK_TIME_MS). */
  workTimeMs: number;
  /** Start the pools this many seconds after the load begins (default 0: before it), so
   * events are queued before any consumer group exists. */
  startAfterSec?: number;
  /** Extra environment for the pools (e.g. shorter timeouts), names as in lib/config.ts. */
  env?: Readonly<Record<string, string>>;
}

export interface FaultStep {
  /** Seconds after the load starts. */
  at: number;
  fault: FaultSpec;
  /** Seconds until the heal; omitted for instantaneous faults (kill-worker,
   * rolling-restart). Every fault is healed before the check regardless. */
  healAfter?: number;
  /** Pools a pool fault hits (default: every transport of the scenario). */
  pools?: readonly TransportName[];
}

/** The seeded random mix: faults drawn from `faults`, one every ~`meanIntervalSec`. */
export interface ChaosSpec {
  /** Faults start within [startSec, endSec) of the load. */
  startSec: number;
  endSec: number;
  /**
   * Draw faults for the whole load, whatever its length (soak runs): the window ends this
   * many seconds before the load does, and `endSec` is replaced by that.
   */
  endBeforeLoadEndSec?: number;
  meanIntervalSec: number;
  /** Each fault is healed after a duration drawn in this range (seconds). */
  healAfterSec: readonly [number, number];
  /** At most this many faults active at once (default 1). */
  maxActive?: number;
  faults: readonly FaultSpec[];
}

/** An inclusive range; either bound may be omitted. */
export interface Range {
  min?: number;
  max?: number;
}

/**
 * Signals that must be observed for the run to count: they prove the fault really hit
 * (a crash scenario where nothing was redelivered tested nothing). Evaluated per
 * transport unless the field says otherwise.
 */
export interface Expectations {
  /** Worker kills across the run (from fault entries in the history, all pools). */
  kills?: Range;
  /** Role faults (kill-leader, kill-redis-primary, ...) after which another node held the
   * role, read through the admin API or the Sentinels before the heal: the cluster failed
   * over. Whole run. */
  failovers?: Range;
  /** Ids delivered more than once. `{max: 0}` for graceful restarts. */
  redeliveries?: Range;
  /** fail + info ids: the producer saw the fault. */
  producerFailures?: Range;
  /** info ids that were processed anyway. */
  recovered?: Range;
  /** Longest stretch without sink effects inside some fault window, ms. */
  consumerStallMs?: Range;
  /** Dead-lettered ids. */
  deadLettered?: Range;
  /** End-to-end latency p99, ms. */
  latencyP99Ms?: Range;
}
