import { proxyDown } from './proxy-down.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** Make the sink unreachable for the workers (the sink-workers link goes down); heal:
 * reachable again. */
export interface SinkOutageSpec {
  kind: 'sink-outage';
}

export const sinkOutage: FaultPackage<SinkOutageSpec> = {
  kind: 'sink-outage',
  fields: [],
  validate: () => [],
  instant: false,
  hitsPools: false,
  kills: KILLS_NONE,
  start: (ctx) => proxyDown.start(ctx, { kind: 'proxy-down', proxy: 'sink' }, []),
  label: 'sink-outage',
};
