import { idTally } from '../id-tally.ts';
import { applied, num } from '../inputs.ts';
import type { Measure } from '../types.ts';

/** What the sink saw: events applied, and those delivered more than once. */
export const deliveries: Measure<'sink'> = {
  name: 'deliveries',
  needs: ['sink'],
  columns: [
    { key: 'processed', short: 'processed', label: 'processed', value: (r) => r.processed },
    {
      key: 'redeliveries',
      short: 'redeliv',
      label: 'redeliveries',
      value: (r) => r.redeliveries,
    },
  ],
  run({ sink, sampleLimit }) {
    let processed = 0;
    const redelivered = idTally(sampleLimit);
    for (const [id, rec] of sink) {
      if (num(rec.deliveries) > 1) redelivered.add(id);
      if (applied(rec)) processed++;
    }
    return {
      counts: { processed, redeliveries: redelivered.count },
      samples: { redelivered: redelivered.ids },
    };
  },
};
