import type { Toxiproxy } from 'toxiproxy-node-client';
import type { TransportName } from '../../lib/envelope.ts';
import type { Infra } from '../infra/types.ts';
import type { WorkerPool } from '../processes.ts';
import type { Random } from '../random.ts';
import type { FaultSpec } from '../../scenarios/types.ts';

/** What a nemesis can reach: the servers, the pools, the proxies, and the run's seed. */
export interface NemesisContext {
  infra: Infra;
  toxiproxy: Toxiproxy;
  pools: ReadonlyMap<TransportName, WorkerPool>;
  /** The scenario's transports: roles such as `producer` expand to their links. */
  transports: readonly TransportName[];
  random: Random;
}

/** A fault in force. `heal` undoes it; for instantaneous faults it does nothing. */
export interface ActiveFault {
  target: string;
  detail?: Record<string, unknown>;
  heal(): Promise<void>;
}

export type Nemesis<F extends FaultSpec = FaultSpec> = (
  ctx: NemesisContext,
  fault: F,
  /** The pools a pool fault hits. */
  pools: readonly TransportName[],
) => Promise<ActiveFault>;

export const NOTHING_TO_HEAL = (): Promise<void> => Promise.resolve();
