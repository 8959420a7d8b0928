import { idTally } from '../id-tally.ts';
import { applied } from '../inputs.ts';
import type { SafetyRule } from '../types.ts';
import { breach } from './breach.ts';

/** A poison event whose effect was applied: it must only ever be dead-lettered. */
export const poisonEffect: SafetyRule<'poison-effect', 'sink'> = {
  name: 'poison-effect',
  needs: ['sink'],
  columns: [
    {
      key: 'poisonEffects',
      short: 'poison',
      label: 'poison effects',
      value: (r) => r.poisonEffects,
      terminal: false,
    },
  ],
  run({ sink, isPoison, sampleLimit }) {
    const found = idTally(sampleLimit);
    for (const [id, rec] of sink) if (applied(rec) && isPoison(id)) found.add(id);
    return breach('poison-effect', 'poisonEffects', found);
  },
};
