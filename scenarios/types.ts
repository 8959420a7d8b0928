import type { TransportName } from '../lib/envelope.ts';
import type { ProxyName } from '../harness/infra/types.ts';

/**
 * A scenario is data: what load to send, which workers to run, which faults to inject
 * when, and which signals prove the faults actually bit. The runner interprets it; the
 * checker's safety rules (nothing lost, nothing doubled, nothing pending) always apply.
 * Times in the schedule are seconds from the start of the load phase.
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
  /** Bounds of the final phase, in seconds (defaults: drain 30). */
  timeouts?: { drainSec?: number };
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

/** A proxy by name, or a role the runner expands to the links of the scenario's transports:
 * `producer` -> kafka-producer/redis-producer, `workers` -> kafka-workers/redis-workers,
 * `sink` -> sink-workers. */
export type ProxyTarget = ProxyName | 'producer' | 'workers' | 'sink';

export type ToxicType =
  'latency' | 'bandwidth' | 'timeout' | 'reset_peer' | 'slicer' | 'limit_data';

/** Every fault kind the nemeses implement. Pool faults hit the pools of `FaultStep.pools`. */
export type FaultSpec =
  /** SIGKILL `count` (default 1) workers of a pool; the supervisor respawns them. */
  | { kind: 'kill-worker'; count?: number }
  /** SIGSTOP one worker; heal: SIGCONT. */
  | { kind: 'pause-worker'; count?: number }
  /** SIGKILL the pool's primary and all its workers; heal: start the pool again. */
  | { kind: 'kill-pool' }
  /** SIGTERM the pool (graceful drain); heal: start it again. */
  | { kind: 'stop-pool' }
  /** SIGTERM workers one by one, waiting `intervalMs` (default 1000) between them. */
  | { kind: 'rolling-restart'; intervalMs?: number }
  /** Resize the pool to `size`; heal: back to the scenario's size. */
  | { kind: 'scale-pool'; size: number }
  /** Disable a Toxiproxy link; heal: enable it. */
  | { kind: 'proxy-down'; proxy: ProxyTarget }
  /** Add a toxic to a link; heal: remove it. */
  | {
      kind: 'toxic';
      proxy: ProxyTarget;
      type: ToxicType;
      stream: 'upstream' | 'downstream';
      attributes: Readonly<Record<string, number>>;
      /** Probability the toxic applies to a connection, 0..1 (default 1). */
      toxicity?: number;
    }
  /** kill -9 the broker; heal: restart it on the same data dir. */
  | { kind: 'broker-restart'; server: 'kafka' | 'redis' }
  /** Make the sink unreachable for the workers; heal: reachable again. */
  | { kind: 'sink-outage' };

export type FaultKind = FaultSpec['kind'];

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
