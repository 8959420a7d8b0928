import { idTally } from '../id-tally.ts';
import { num } from '../inputs.ts';
import type { SafetyRule } from '../types.ts';
import { breach } from './breach.ts';

/** An effect applied more than once: the idempotency is broken. */
export const doubleEffect: SafetyRule<'double-effect', 'sink'> = {
  name: 'double-effect',
  needs: ['sink'],
  columns: [
    {
      key: 'doubleEffects',
      short: 'double',
      label: 'double effects',
      value: (r) => r.doubleEffects,
    },
  ],
  run({ sink, sampleLimit }) {
    const found = idTally(sampleLimit);
    for (const [id, rec] of sink) if (num(rec.effects) > 1) found.add(id);
    return breach('double-effect', 'doubleEffects', found);
  },
};
