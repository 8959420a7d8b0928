import { idTally } from '../id-tally.ts';
import { applied } from '../inputs.ts';
import type { Measure } from '../types.ts';

/**
 * Indeterminate (`info`) ids: recovered when applied anyway, unrecovered when not (poison
 * that was dead-lettered is neither: it went where it should).
 */
export const recovered: Measure<'sink'> = {
  name: 'recovered',
  needs: ['sink'],
  columns: [
    { key: 'recovered', short: 'recov', label: 'recovered', value: (r) => r.recovered },
    {
      key: 'unrecovered',
      short: 'unrecov',
      label: 'unrecovered',
      value: (r) => r.unrecovered,
      terminal: false,
    },
  ],
  run({ ids, sink, deadLetters, isPoison, sampleLimit }) {
    const yes = idTally(sampleLimit);
    const no = idTally(sampleLimit);
    for (const [id, s] of ids) {
      if (s.outcome !== 'info') continue;
      if (applied(sink.get(id))) yes.add(id);
      else if (!(isPoison(id) && deadLetters?.has(id))) no.add(id);
    }
    return {
      counts: { recovered: yes.count, unrecovered: no.count },
      samples: { recovered: yes.ids, unrecovered: no.ids },
    };
  },
};
