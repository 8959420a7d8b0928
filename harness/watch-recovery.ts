import { setTimeout as sleep } from 'node:timers/promises';
import type { TransportName } from '../lib/envelope.ts';
import type { Sink } from '../lib/sink.ts';

/**
 * Polls the sink until every held event was processed again after the kill: a record
 * appeared (it had none), or its delivery count went up (it was applied but not acked).
 * Returns the kill-to-recovery time of each.
 */
export async function watchRecovery(
  sink: Sink,
  transport: TransportName,
  held: string[],
  killedAt: number,
  timeoutMs: number,
): Promise<number[]> {
  const before = await sink.get(transport, held);
  const waiting = new Map(held.map((id) => [id, before.get(id)?.deliveries ?? 0]));
  const times: number[] = [];
  const deadline = killedAt + timeoutMs;
  while (waiting.size > 0) {
    if (Date.now() > deadline)
      throw new Error(
        `${transport}: ${waiting.size} of ${held.length} held events not recovered ${timeoutMs} ms after the kill`,
      );
    await sleep(100);
    const now = Date.now();
    const seen = await sink.get(transport, [...waiting.keys()]);
    for (const [id, deliveriesBefore] of waiting) {
      const r = seen.get(id);
      if (r === undefined) continue;
      if (deliveriesBefore === 0) times.push(r.firstEffectMs - killedAt);
      else if (r.deliveries > deliveriesBefore) times.push(now - killedAt);
      else continue;
      waiting.delete(id);
    }
  }
  return times;
}
