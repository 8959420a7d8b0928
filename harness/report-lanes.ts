/**
 * Rows for the fault labels of the report's plots, so labels of faults that overlap (in
 * time, or because a label is wider than its band) never print on top of each other:
 * interval partitioning, first fit in start order. A label with no free row within
 * `maxLanes` is left out (its band is still shaded; the recovery table lists every fault).
 */

/** The plots' width (px) and the label font's average character width (px, size 9). */
export const PLOT_WIDTH = 720;
const CHAR_PX = 5;
/** Text marks are cut at this many px (`limit`). */
export const LABEL_MAX_PX = 140;

export const faultLabel = (f: { fault: string; target?: string }) =>
  f.target ? `${f.fault} ${f.target}` : f.fault;

/** Seconds of plot a label takes at this duration. */
function labelSpanSec(label: string, durationSec: number): number {
  const px = Math.min(LABEL_MAX_PX, label.length * CHAR_PX + 6);
  return (px / PLOT_WIDTH) * Math.max(1, durationSec);
}

export function assignLanes<
  B extends { fault: string; target?: string; start: number; end: number },
>(bands: readonly B[], durationSec: number, maxLanes = 5): (B & { lane: number })[] {
  const laneEnds: number[] = [];
  const order = bands
    .map((_, i) => i)
    .sort((a, b) => (bands[a]?.start ?? 0) - (bands[b]?.start ?? 0));
  const lanes = new Array<number>(bands.length).fill(-1);
  for (const i of order) {
    const b = bands[i];
    if (!b) continue;
    const until = Math.max(b.end, b.start + labelSpanSec(faultLabel(b), durationSec));
    let lane = laneEnds.findIndex((end) => end <= b.start);
    if (lane < 0 && laneEnds.length < maxLanes) lane = laneEnds.length;
    if (lane < 0) continue;
    laneEnds[lane] = until;
    lanes[i] = lane;
  }
  return bands.map((b, i) => ({ ...b, lane: lanes[i] ?? -1 }));
}
