import { setTimeout as sleep } from 'node:timers/promises';
import type { HealDetail } from './types.ts';

/**
 * What role faults share: the target line the history carries (`leader of events-3 =
 * node 2`), and the heal's record of who holds the role afterwards, read before the node is
 * given back, so `moved` says whether the cluster failed over while it was gone.
 */
export const roleTarget = (role: string, node: number | string): string =>
  `${role} = node ${String(node)}`;

/** The heal entry's detail: the node hit, who holds the role now (-1: nobody answered). */
export function roleAfter(role: string, node: number, after: number): HealDetail {
  return { role, node, after, moved: after > 0 && after !== node };
}

/**
 * Reads who holds the role until it is someone other than `node` (or `boundMs` passed):
 * an election just under way should not read as "did not move". -1 when no read answered.
 */
export async function holderOtherThan(
  node: number,
  read: () => Promise<number>,
  boundMs = 5000,
): Promise<number> {
  const until = Date.now() + boundMs;
  let holder = -1;
  for (let i = 0; i < 50; i++) {
    holder = await read().catch(() => -1);
    if ((holder > 0 && holder !== node) || Date.now() >= until) return holder;
    await sleep(250);
  }
  return holder;
}
