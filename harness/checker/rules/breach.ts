import type { IdTally } from '../id-tally.ts';
import type { RuleOutput, TransportCounts } from '../types.ts';

/** The output of a rule that counts offending ids: broken when there is one, samples kept. */
export function breach<N extends string>(
  name: N,
  count: keyof TransportCounts,
  found: IdTally,
): RuleOutput<N> {
  return {
    counts: { [count]: found.count },
    anomalies: found.count > 0 ? [name] : [],
    samples: { [name]: found.ids },
  };
}
