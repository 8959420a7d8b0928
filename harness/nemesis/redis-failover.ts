import { setTimeout as sleep } from 'node:timers/promises';
import type { Infra } from '../infra/types.ts';
import { redisPrimary } from './redis-roles.ts';
import type { HealDetail } from './types.ts';

/**
 * The heal record of a Redis role fault: the primary the Sentinels name now, waited for
 * (bounded) to be another node than `node`, so a failover just under way is not missed.
 */
export async function primaryAfter(
  infra: Infra,
  node: string,
  boundMs = 5000,
): Promise<HealDetail> {
  const until = Date.now() + boundMs;
  let after = '';
  for (let i = 0; i < 50; i++) {
    after = await redisPrimary(infra).then(
      (p) => p.server.name,
      () => '',
    );
    if ((after !== '' && after !== node) || Date.now() >= until) break;
    await sleep(250);
  }
  return { role: 'redis primary', node, after, moved: after !== '' && after !== node };
}
