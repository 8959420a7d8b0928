import { deliveryIntervals, type DeliveryInterval } from '../../../lib/sink.ts';
import { idTally } from '../id-tally.ts';
import type { SafetyRule } from '../types.ts';

/**
 * Two deliveries of one event in handlers at the same time (two workers holding one id): the
 * idempotent sink hides it, the side effects of real handlers (mail, payments) do not. Read
 * from the processing intervals the sink keeps for events delivered more than once. Always
 * counted; it breaks the run unless one of the run's faults allows zombies (a paused or
 * cut-off owner that wakes still holding its events; `FaultPackage.allowsZombies`).
 */
export const concurrent: SafetyRule<'concurrent', 'sink'> = {
  name: 'concurrent',
  needs: ['sink'],
  columns: [
    {
      key: 'concurrentDeliveries',
      short: 'concur',
      label: 'concurrent deliveries',
      value: (r) => r.concurrentDeliveries,
    },
  ],
  run({ sink, zombieFaults, sampleLimit }) {
    const found = idTally(sampleLimit);
    for (const [id, rec] of sink) {
      if (rec.intervals && rec.intervals.length > 0 && overlaps(deliveryIntervals(rec))) {
        found.add(id);
      }
    }
    return {
      counts: { concurrentDeliveries: found.count },
      anomalies: found.count > 0 && zombieFaults.length === 0 ? ['concurrent'] : [],
      samples: { concurrent: found.ids },
    };
  },
};

/** True when some two intervals overlap (one starts before the other ended). */
export function overlaps(intervals: readonly DeliveryInterval[]): boolean {
  const byStart = [...intervals].sort((a, b) => a.startMs - b.startMs);
  let latestEnd = -Infinity;
  for (const i of byStart) {
    if (i.startMs < latestEnd) return true;
    latestEnd = Math.max(latestEnd, i.endMs);
  }
  return false;
}
