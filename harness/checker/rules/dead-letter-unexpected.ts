import { idTally } from '../id-tally.ts';
import type { SafetyRule } from '../types.ts';
import { breach } from './breach.ts';

/** In the dead-letter queue but not poison that may have been published. */
export const deadLetterUnexpected: SafetyRule<'dead-letter-unexpected', 'deadLetters'> = {
  name: 'dead-letter-unexpected',
  needs: ['deadLetters'],
  columns: [
    {
      key: 'deadLetterUnexpected',
      short: 'dl-unexp',
      label: 'dead-letter unexpected',
      value: (r) => r.deadLetterUnexpected,
      terminal: false,
    },
  ],
  run({ ids, deadLetters, isPoison, sampleLimit }) {
    const found = idTally(sampleLimit);
    for (const id of deadLetters) {
      const s = ids.get(id);
      if (!isPoison(id) || !s || s.outcome === 'fail') found.add(id);
    }
    return breach('dead-letter-unexpected', 'deadLetterUnexpected', found);
  },
};
