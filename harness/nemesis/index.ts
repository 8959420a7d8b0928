import type { TransportName } from '../../lib/envelope.ts';
import type { FaultSpec } from '../../scenarios/types.ts';
import { brokerRestart } from './broker.ts';
import { proxyDown, sinkOutage, toxic } from './network.ts';
import {
  killPool,
  killWorker,
  pauseWorker,
  rollingRestart,
  scalePool,
  stopPool,
} from './process.ts';
import type { ActiveFault, Nemesis, NemesisContext } from './types.ts';

export type { ActiveFault, NemesisContext } from './types.ts';

const NEMESES: { [K in FaultSpec['kind']]: Nemesis<Extract<FaultSpec, { kind: K }>> } = {
  'kill-worker': killWorker,
  'pause-worker': pauseWorker,
  'kill-pool': killPool,
  'stop-pool': stopPool,
  'rolling-restart': rollingRestart,
  'scale-pool': scalePool,
  'proxy-down': proxyDown,
  toxic,
  'broker-restart': brokerRestart,
  'sink-outage': sinkOutage,
};

/** Starts `fault`; the returned handle heals it. */
export function startFault(
  ctx: NemesisContext,
  fault: FaultSpec,
  pools: readonly TransportName[],
): Promise<ActiveFault> {
  const nemesis = NEMESES[fault.kind] as Nemesis;
  return nemesis(ctx, fault, pools);
}
