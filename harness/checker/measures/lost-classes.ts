import type { LostClass } from '../../../lib/transports/driver.ts';
import { idTally, type IdTally } from '../id-tally.ts';
import { lostIds } from '../lost-ids.ts';
import type { Column, Measure, TransportCounts } from '../types.ts';

type Class = LostClass | 'unclassified';

/** [class, count, terminal header, report label]. */
const CLASSES: readonly [Class, keyof TransportCounts, string, string][] = [
  ['never-stored', 'lostNeverStored', 'l-nostore', 'lost: never stored'],
  ['stored-undelivered', 'lostStoredUndelivered', 'l-undeliv', 'lost: stored, never delivered'],
  ['delivered-unapplied', 'lostDeliveredUnapplied', 'l-unappl', 'lost: delivered, not applied'],
  ['unclassified', 'lostUnclassified', 'l-unclass', 'lost: not classified'],
];

const columns: Column[] = CLASSES.map(([, key, short, label]) => ({
  key,
  short,
  label,
  value: (r) => r[key] as number,
  terminal: false,
}));

/**
 * Where each lost id went, as the brokers told the harness (`CheckInput.lostLocations`):
 * counts per class, samples per class, and the class of every sampled lost id so the
 * summary can print it beside the id. Without locations every lost id is unclassified.
 */
export const lostClasses: Measure<'sink'> = {
  name: 'lost-classes',
  needs: ['sink'],
  columns,
  run({ ids, sink, isPoison, sampleLimit, lostLocations }) {
    const tallies = new Map<Class, IdTally>(CLASSES.map(([c]) => [c, idTally(sampleLimit)]));
    const sampled: Record<string, Class> = {};
    let seen = 0;
    for (const id of lostIds(ids, sink, isPoison)) {
      const c: Class = lostLocations?.get(id) ?? 'unclassified';
      tallies.get(c)?.add(id);
      if (seen++ < sampleLimit) sampled[id] = c;
    }
    const counts: Partial<TransportCounts> = {};
    const samples: Record<string, readonly string[]> = {};
    for (const [c, key] of CLASSES) {
      const tally = tallies.get(c);
      counts[key] = tally?.count ?? 0;
      if (tally && tally.count > 0) samples[`lost-${c}`] = tally.ids;
    }
    return { counts, samples, fields: { lostClasses: sampled } };
  },
};
