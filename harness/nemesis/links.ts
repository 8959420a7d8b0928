import type { TransportName } from '../../lib/envelope.ts';
import { driverFor } from '../../lib/transports/registry.ts';
import type { ProxyName } from '../infra/types.ts';
import type { ProxyTarget } from './proxy-target.ts';

/**
 * Expands a role to the links its transports declare (transports that share a broker, as
 * BullMQ shares the broker Redis, share its link once); a proxy name stands for itself.
 */
export function proxiesFor(target: ProxyTarget, transports: readonly TransportName[]): ProxyName[] {
  if (target === 'sink') return ['sink-workers'];
  if (target !== 'producer' && target !== 'workers') return [target];
  return [...new Set(transports.map((t) => driverFor(t).links[target]))];
}
