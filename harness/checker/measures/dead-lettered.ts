import type { Measure } from '../types.ts';

/** Events in the dead-letter queue (which ones belong there is the rules' business). */
export const deadLettered: Measure<'deadLetters'> = {
  name: 'dead-lettered',
  needs: ['deadLetters'],
  columns: [
    { key: 'deadLettered', short: 'dlq', label: 'dead-lettered', value: (r) => r.deadLettered },
  ],
  run: ({ deadLetters }) => ({ counts: { deadLettered: deadLetters.size } }),
};
