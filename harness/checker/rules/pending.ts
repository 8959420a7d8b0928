import { num } from '../inputs.ts';
import type { SafetyRule } from '../types.ts';

/** Still unacknowledged in the broker after the drain (lag, pending entries, jobs). */
export const pending: SafetyRule<'pending', 'pending'> = {
  name: 'pending',
  needs: ['pending'],
  columns: [
    { key: 'pending', short: 'pending', label: 'pending', value: (r) => r.pending, blank: '?' },
  ],
  run({ pending: state }) {
    const count = num(state.pending);
    return {
      counts: { pending: count },
      anomalies: count > 0 ? ['pending'] : [],
      fields: { pendingDetail: state.detail ? { ...state.detail } : {} },
    };
  },
};
