import { idTally } from '../id-tally.ts';
import type { SafetyRule } from '../types.ts';
import { breach } from './breach.ts';

/** Acknowledged poison that is not in the dead-letter queue. */
export const deadLetterMissing: SafetyRule<'dead-letter-missing', 'deadLetters'> = {
  name: 'dead-letter-missing',
  needs: ['deadLetters'],
  columns: [
    {
      key: 'deadLetterMissing',
      short: 'dl-miss',
      label: 'dead-letter missing',
      value: (r) => r.deadLetterMissing,
      terminal: false,
    },
  ],
  run({ ids, deadLetters, isPoison, sampleLimit }) {
    const found = idTally(sampleLimit);
    for (const [id, s] of ids) {
      if (s.outcome === 'ok' && isPoison(id) && !deadLetters.has(id)) found.add(id);
    }
    return breach('dead-letter-missing', 'deadLetterMissing', found);
  },
};
