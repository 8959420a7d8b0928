import type { TransportName } from '../lib/envelope.ts';
import { toSinkMap, type CheckInput } from './checker/index.ts';
import type { HistoryEntry } from './history.ts';
import { indexHistory, type FaultWindow } from './history-index.ts';

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
}

export interface ReportData {
  transports: TransportName[];
  timeline: TimelinePoint[];
  faults: FaultBand[];
  latency: LatencyPoint[];
  /** Events in the latency plot before thinning. */
  latencyTotal: number;
  durationSec: number;
}

export interface ReportDataOptions {
  /** Most latency points kept (evenly thinned above it; default 2000) to keep the SVG small. */
  maxLatencyPoints?: number;
}

function band(f: FaultWindow): FaultBand {
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
  const index = indexHistory(history);
  const bins = new Map<string, TimelinePoint>();
  const bump = (transport: TransportName, series: Series, timeMs: number, n: number) => {
    const second = Math.max(0, Math.floor(timeMs / 1000));
    const key = `${transport}/${series}/${second}`;
    const point = bins.get(key);
    if (point) point.events += n;
    else bins.set(key, { transport, series, second, events: n });
  };
  for (const e of history) {
    if (e.type === 'invoke') bump(e.transport, 'sent', e.time, e.ids.length);
    else if (e.type === 'ok') bump(e.transport, 'acked', e.time, e.ids.length);
  }
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
      bump(t, 'processed', time, 1);
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
  const max = options.maxLatencyPoints ?? 2000;
  const step = Math.max(1, Math.ceil(latency.length / max));
  latency.sort((a, b) => a.sentAt - b.sentAt);
  return {
    transports: index.transports,
    timeline: [...bins.values()].sort((a, b) => a.second - b.second),
    faults: index.faults.map(band),
    latency: step === 1 ? latency : latency.filter((_, i) => i % step === 0),
    latencyTotal: latency.length,
    durationSec: Math.ceil(endTime / 1000),
  };
}
