import { comparePositions } from '../../../lib/transports/position.ts';
import { idTally, type IdTally } from '../id-tally.ts';
import { byShardInOrder, keyedEventsByKey, type KeyedEvent } from '../keyed-events.ts';
import { num } from '../inputs.ts';
import type { SafetyRule } from '../types.ts';

/**
 * Per key, first effects follow broker order (Jepsen's Kafka checker, Watermill's
 * `GuaranteedOrder`): an event whose first effect came after that of an event later in its
 * key's broker order is an inversion. It breaks the run only on a transport that promises
 * per-key order (`features.perKeyOrder`: Kafka); elsewhere it is reported as a count
 * (Redis consumer groups and BullMQ promise no order).
 */
export const order: SafetyRule<'order', 'sink'> = {
  name: 'order',
  needs: ['sink'],
  columns: [
    {
      key: 'orderInversions',
      short: 'order',
      label: 'order inversions (per key)',
      value: (r) => r.orderInversions,
    },
  ],
  run({ ids, sink, perKeyOrder, sampleLimit }) {
    const found = idTally(sampleLimit);
    for (const events of keyedEventsByKey(ids, sink).values()) {
      for (const shard of byShardInOrder(events)) countInversions(shard, found);
    }
    return {
      counts: { orderInversions: found.count },
      anomalies: perKeyOrder && found.count > 0 ? ['order'] : [],
      samples: { order: found.ids },
    };
  },
};

/**
 * Walks one key's events of one shard in broker order, keeping the highest effect sequence
 * seen so far: an event below it was applied after a later one. Events level in position
 * (BullMQ jobs added in one millisecond) are not ordered against each other.
 */
function countInversions(events: readonly KeyedEvent[], found: IdTally): void {
  let highest = -Infinity;
  for (let i = 0; i < events.length;) {
    let j = i;
    let groupHighest = -Infinity;
    for (; j < events.length; j += 1) {
      const e = events[j] as KeyedEvent;
      if (comparePositions(e.position, (events[i] as KeyedEvent).position) !== 0) break;
      if (e.record.keySeq === undefined) continue;
      const seq = num(e.record.keySeq);
      if (seq < highest) found.add(e.id);
      groupHighest = Math.max(groupHighest, seq);
    }
    highest = Math.max(highest, groupHighest);
    i = j;
  }
}
