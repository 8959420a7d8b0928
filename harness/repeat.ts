/**
 * `--repeat N`: the same scenario up to N times, each with a fresh seed, stopping at the
 * first run that is not valid (Jepsen's `--test-count`), whose seed then replays it.
 */
export interface RepeatOptions<O extends { valid: boolean | 'unknown' }> {
  times: number;
  /** A fresh seed per run. */
  seed: (run: number) => string;
  run: (seed: string, index: number) => Promise<O>;
}

export interface RepeatResult<O> {
  /** Runs done. */
  runs: number;
  /** The first run that was not valid, with its seed; absent when every run was valid. */
  failed?: { seed: string; outcome: O };
}

export async function repeatRuns<O extends { valid: boolean | 'unknown' }>(
  o: RepeatOptions<O>,
): Promise<RepeatResult<O>> {
  for (let i = 0; i < o.times; i++) {
    const seed = o.seed(i);
    const outcome = await o.run(seed, i);
    if (outcome.valid !== true) return { runs: i + 1, failed: { seed, outcome } };
  }
  return { runs: o.times };
}
