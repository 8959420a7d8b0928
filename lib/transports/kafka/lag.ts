/** One partition's watermarks, as the admin API gives them. */
export interface PartitionWatermarks {
  partition: number;
  low: string;
  high: string;
}

/**
 * Group lag per partition: high watermark minus committed offset (or the low watermark
 * when nothing was committed). Each partition is judged alone: a negative lag (a commit past
 * the high watermark) is an anomaly too and must not cancel a real lag elsewhere, so
 * `pending` adds up the magnitudes.
 */
export function groupLag(
  watermarks: readonly PartitionWatermarks[],
  committed: ReadonlyMap<number, number>,
): { pending: number; detail: Record<string, number> } {
  const detail: Record<string, number> = { lag: 0, partitions: watermarks.length };
  let pending = 0;
  for (const w of watermarks) {
    const at = committed.get(w.partition) ?? -1;
    const lag = Number(w.high) - (at >= 0 ? at : Number(w.low));
    detail[`lag.p${w.partition}`] = lag;
    pending += Math.abs(lag);
  }
  detail.lag = pending;
  return { pending, detail };
}
