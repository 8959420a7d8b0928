import { comparePositions, type BrokerPosition } from '../../../lib/transports/position.ts';
import { idTally, type IdTally } from '../id-tally.ts';
import { keyedEventsByKey, type KeyedEvent } from '../keyed-events.ts';
import type { SafetyRule } from '../types.ts';

/**
 * A client that sends one key's events one after another, each after the previous 202,
 * must see their broker positions increase (Jepsen's Kafka `nonmonotonic-send`): an event
 * sent after another of its key was acknowledged must not be stored before it, nor in
 * another shard. Positions level with the earlier one (BullMQ jobs added in one
 * millisecond) are allowed. Every broker keeps this, so it breaks the run everywhere.
 */
export const nonmonotonicSend: SafetyRule<'nonmonotonic-send', 'sink'> = {
  name: 'nonmonotonic-send',
  needs: ['sink'],
  columns: [
    {
      key: 'nonmonotonicSends',
      short: 'nonmono',
      label: 'non-monotonic sends (per key)',
      value: (r) => r.nonmonotonicSends,
      terminal: false,
    },
  ],
  run({ ids, sink, sampleLimit }) {
    const found = idTally(sampleLimit);
    for (const events of keyedEventsByKey(ids, sink).values()) checkKey(events, found);
    return {
      counts: { nonmonotonicSends: found.count },
      anomalies: found.count > 0 ? ['nonmonotonic-send'] : [],
      samples: { 'nonmonotonic-send': found.ids },
    };
  },
};

/**
 * Sweeps one key's events in send order against those acknowledged before each send:
 * the latest position among them (per shard) must not be after the event's own.
 */
function checkKey(events: readonly KeyedEvent[], found: IdTally): void {
  const acked = events
    .filter((e) => e.state.okTime !== undefined)
    .sort((a, b) => (a.state.okTime as number) - (b.state.okTime as number));
  const sent = [...events].sort((a, b) => a.state.firstInvokeTime - b.state.firstInvokeTime);
  /** Latest position of the events acknowledged so far, per shard. */
  const latest = new Map<string, BrokerPosition>();
  let next = 0;
  for (const e of sent) {
    for (; next < acked.length; next += 1) {
      const a = acked[next] as KeyedEvent;
      if ((a.state.okTime as number) >= e.state.firstInvokeTime) break;
      const seen = latest.get(a.position.shard);
      if (!seen || comparePositions(a.position, seen) > 0) latest.set(a.position.shard, a.position);
    }
    const elsewhere = [...latest.keys()].some((shard) => shard !== e.position.shard);
    const mine = latest.get(e.position.shard);
    if (elsewhere || (mine && comparePositions(mine, e.position) > 0)) found.add(e.id);
  }
}
