import { idTally } from '../id-tally.ts';
import { applied } from '../inputs.ts';
import type { SafetyRule } from '../types.ts';
import { breach } from './breach.ts';

/** Acknowledged (`ok`), not poison, and no effect in the sink: the pipeline lost it. */
export const lost: SafetyRule<'lost', 'sink'> = {
  name: 'lost',
  needs: ['sink'],
  columns: [{ key: 'lost', short: 'lost', label: 'lost', value: (r) => r.lost }],
  run({ ids, sink, isPoison, sampleLimit }) {
    const found = idTally(sampleLimit);
    for (const [id, s] of ids) {
      if (s.outcome === 'ok' && !isPoison(id) && !applied(sink.get(id))) found.add(id);
    }
    return breach('lost', 'lost', found);
  },
};
