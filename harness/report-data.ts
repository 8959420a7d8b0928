import type { TransportName } from '../lib/envelope.ts';
import { toSinkMap, type CheckInput } from './checker/index.ts';
import type { HistoryEntry } from './history.ts';
import { digestHistory, type HistoryDigest } from './history-digest.ts';
import type { FaultWindow } from './history-index.ts';
import { assignLanes } from './report-lanes.ts';
import {
  faultProcessEvents,
  lagPoints,
  respawnEvents,
  type ProcessEvent,
} from './report-processes.ts';

/**
 * The plot data of a run, from the history and the sink: per-second counts of events
 * sent, acknowledged and processed per transport, fault windows, and per-event latency.
 * Times are seconds since the run's start.
 */
export type Series = 'sent' | 'acked' | 'processed';

export interface TimelinePoint {
  transport: TransportName;
  series: Series;
  /** Start of the one-second bin. */
  second: number;
  events: number;
}

export interface LatencyPoint {
  transport: TransportName;
  /** When the acknowledged request was sent. */
  sentAt: number;
  latencyMs: number;
}

export interface FaultBand {
  fault: string;
  target?: string;
  start: number;
  end: number;
  /** Row of its label when faults overlap; -1: no room, the label is left out. */
  lane: number;
}

/** Events the broker held unacknowledged, as sampled during the run. */
export interface LagPoint {
  transport: TransportName;
  second: number;
  pending: number;
}

export interface ReportData {
  transports: TransportName[];
  timeline: TimelinePoint[];
  faults: FaultBand[];
  latency: LatencyPoint[];
  /** Events in the latency plot before thinning. */
  latencyTotal: number;
  durationSec: number;
  lag: LagPoint[];
  processes: ProcessEvent[];
}

export interface ReportDataOptions {
  /** Most latency points kept (evenly thinned above it; default 2000) to keep the SVG small. */
  maxLatencyPoints?: number;
  /** Marks read from the pools' logs (`logProcessEvents`), added to the history's own. */
  logEvents?: readonly ProcessEvent[];
}

function band(f: FaultWindow): Omit<FaultBand, 'lane'> {
  return {
    fault: f.fault,
    ...(f.target !== undefined ? { target: f.target } : {}),
    start: f.start / 1000,
    end: f.heal / 1000,
  };
}

export function buildReportData(
  history: readonly HistoryEntry[],
  sink: CheckInput['sink'],
  options: ReportDataOptions = {},
): ReportData {
  return reportDataOf(digestHistory(history), sink, options);
}

/** Processed events per second (into `bins`) and the latency of each acknowledged one. */
function sinkSeries(
  digest: HistoryDigest,
  sink: CheckInput['sink'],
  bins: Map<string, TimelinePoint>,
): { latency: LatencyPoint[]; endTime: number } {
  const { index } = digest;
  const latency: LatencyPoint[] = [];
  let endTime = index.endTime;
  for (const t of index.transports) {
    const source = sink[t];
    if (!source) continue;
    const states = index.ids.get(t);
    for (const [id, rec] of toSinkMap(source)) {
      if (!(rec.effects >= 1)) continue;
      const time = rec.firstEffectMs - index.startWall;
      endTime = Math.max(endTime, time);
      const second = Math.max(0, Math.floor(time / 1000));
      const key = `${t}/processed/${second}`;
      const point = bins.get(key);
      if (point) point.events += 1;
      else bins.set(key, { transport: t, series: 'processed', second, events: 1 });
      const s = states?.get(id);
      if (s?.outcome === 'ok') {
        latency.push({
          transport: t,
          sentAt: (s.invokeWall - index.startWall) / 1000,
          latencyMs: rec.firstEffectMs - s.invokeWall,
        });
      }
    }
  }
  return { latency, endTime };
}

/** The plot data from a history digest (streamed from the run's file) and the sink. */
export function reportDataOf(
  digest: HistoryDigest,
  sink: CheckInput['sink'],
  options: ReportDataOptions = {},
): ReportData {
  const bins = new Map<string, TimelinePoint>();
  for (const r of digest.rates) bins.set(`${r.transport}/${r.series}/${r.second}`, { ...r });
  const { latency, endTime } = sinkSeries(digest, sink, bins);
  const max = options.maxLatencyPoints ?? 2000;
  const step = Math.max(1, Math.ceil(latency.length / max));
  latency.sort((a, b) => a.sentAt - b.sentAt);
  const durationSec = Math.ceil(endTime / 1000);
  return {
    transports: digest.index.transports,
    timeline: [...bins.values()].sort((a, b) => a.second - b.second),
    faults: assignLanes(digest.index.faults.map(band), durationSec),
    latency: step === 1 ? latency : latency.filter((_, i) => i % step === 0),
    latencyTotal: latency.length,
    durationSec,
    lag: lagPoints(digest.others),
    processes: [
      ...faultProcessEvents(digest.others),
      ...respawnEvents(digest.others),
      ...(options.logEvents ?? []),
    ].sort((a, b) => a.second - b.second),
  };
}
