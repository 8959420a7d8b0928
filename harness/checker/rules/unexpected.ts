import { idTally } from '../id-tally.ts';
import type { SafetyRule } from '../types.ts';
import { breach } from './breach.ts';

/** In the sink but never attempted, or attempted only with a definite `fail`. */
export const unexpected: SafetyRule<'unexpected', 'sink'> = {
  name: 'unexpected',
  needs: ['sink'],
  columns: [{ key: 'unexpected', short: 'unexp', label: 'unexpected', value: (r) => r.unexpected }],
  run({ ids, sink, sampleLimit }) {
    const found = idTally(sampleLimit);
    for (const id of sink.keys()) {
      const s = ids.get(id);
      if (!s || s.outcome === 'fail') found.add(id);
    }
    return breach('unexpected', 'unexpected', found);
  },
};
