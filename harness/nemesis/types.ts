import type { Toxiproxy } from 'toxiproxy-node-client';
import type { Config } from '../../lib/config.ts';
import type { TransportName } from '../../lib/envelope.ts';
import type { Infra, Topology } from '../infra/types.ts';
import type { WorkerPool } from '../worker-pool.ts';
import type { Random } from '../random.ts';

/** What a nemesis can reach: the servers, the pools, the proxies, and the run's seed. */
export interface NemesisContext {
  infra: Infra;
  toxiproxy: Toxiproxy;
  pools: ReadonlyMap<TransportName, WorkerPool>;
  /** The scenario's transports: roles such as `producer` expand to their links. */
  transports: readonly TransportName[];
  random: Random;
  /** The run's settings (its per-run topic, stream and queue names), for role lookups. */
  config: Config;
}

/** What a heal found, written into its history entry (role faults: who holds the role now). */
export type HealDetail = Readonly<Record<string, unknown>>;

/** A fault in force. `heal` undoes it; for instantaneous faults it does nothing. */
export interface ActiveFault {
  target: string;
  detail?: Record<string, unknown>;
  heal(): Promise<void | HealDetail>;
}

/**
 * Everything one fault kind means, in one object (after Jepsen's nemesis/combined.clj,
 * where a package bundles the nemesis, its generator facts, its heal and its plot): the
 * schedule, the validator, the expectations and the timeline ask it instead of switching
 * on the kind. Methods (not function properties) so a package of one spec fits the table
 * of all of them.
 */
export interface FaultPackage<S extends { kind: string }> {
  kind: S['kind'];
  /** The spec's fields besides `kind`; any other field is reported as a typo. */
  fields: readonly string[];
  /** Problems with the kind's own fields, each prefixed with `path` (`schedule[2].fault`). */
  validate(spec: S, path: string): string[];
  /** Happens at once and has nothing to heal, so a step needs no `healAfter`. */
  instant: boolean;
  /** Aimed at worker pools: it takes `FaultStep.pools` (chaos draws one). */
  hitsPools: boolean;
  /**
   * It can leave a worker holding events it no longer owns (paused, or cut off from its
   * broker) that it processes when it wakes, while their new owner does too: the checker
   * then reports such overlaps (`concurrent`) without judging them. Default false.
   */
  allowsZombies?: boolean;
  /** The topology it needs (role faults: `cluster`); a scenario on another is invalid. */
  topology?: Topology;
  /** Workers killed by one start, from the `detail` its history entry carries. */
  kills(detail: Readonly<Record<string, unknown>> | undefined): number;
  /** Injects the fault; the handle heals it. `pools` are the pools a pool fault hits. */
  start(ctx: NemesisContext, spec: S, pools: readonly TransportName[]): Promise<ActiveFault>;
  /** The name the timeline writes into the history's fault entries; the report's plot and
   * the summary show it with the target. Stable: recorded histories are read by it. */
  label: string;
}

export const NOTHING_TO_HEAL = (): Promise<void> => Promise.resolve();

/** For kinds that kill no worker. */
export const KILLS_NONE = (): number => 0;
