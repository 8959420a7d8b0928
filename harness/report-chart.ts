import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from './report-data.ts';
import { faultLabel, LABEL_MAX_PX, PLOT_WIDTH } from './report-lanes.ts';

/**
 * Vega-Lite specs of the report's plots, rendered server-side to SVG strings (renderer
 * 'none', no canvas, no browser), so the HTML page needs no script to show them.
 */
const WIDTH = PLOT_WIDTH;
const FAULT_FILL = '#e45756';
/** Height of one fault label row, px. */
const LANE_PX = 11;

function faultLayers(data: ReportData, labels = true) {
  // Instant faults get a visible sliver; each label sits in its band's lane at the top.
  const bands = data.faults.map((f) => ({
    ...f,
    label: faultLabel(f),
    labelY: 2 + f.lane * LANE_PX,
    end: Math.max(f.end, f.start + 0.3),
  }));
  const shade = {
    data: { values: bands },
    mark: { type: 'rect' as const, color: FAULT_FILL, opacity: 0.15 },
    encoding: {
      x: { field: 'start', type: 'quantitative' as const },
      x2: { field: 'end' },
    },
  };
  if (!labels) return [shade];
  return [
    shade,
    {
      data: { values: bands.filter((b) => b.lane >= 0) },
      mark: {
        type: 'text' as const,
        align: 'left' as const,
        baseline: 'top' as const,
        dx: 2,
        fontSize: 9,
        color: '#a33',
        limit: LABEL_MAX_PX,
      },
      encoding: {
        x: { field: 'start', type: 'quantitative' as const },
        // Pixels from the top: the lane, not a data value.
        y: { field: 'labelY', type: 'quantitative' as const, scale: null },
        text: { field: 'label', type: 'nominal' as const },
      },
    },
  ];
}

const xAxis = (data: ReportData, field: string, title = 'seconds since start') => ({
  field,
  type: 'quantitative' as const,
  title,
  scale: { domain: [0, Math.max(1, data.durationSec)] },
});

/** Events each broker held unacknowledged, sampled about once a second during the run. */
function lagPanel(data: ReportData) {
  return {
    width: WIDTH,
    height: 120,
    title: 'consumer lag (events pending in the broker, sampled)',
    layer: [
      ...faultLayers(data, false),
      {
        data: { values: data.lag },
        mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.2 },
        encoding: {
          x: xAxis(data, 'second'),
          y: { field: 'pending', type: 'quantitative' as const, title: 'pending' },
          color: { field: 'transport', type: 'nominal' as const, title: 'lag' },
        },
      },
    ],
  };
}

/** Kills, pauses, respawns, deaths, rebalances and claims: one row per transport. */
function processPanel(data: ReportData) {
  return {
    width: WIDTH,
    height: 24 * Math.max(1, data.transports.length),
    title: 'processes (fault history, pool restart counts, pool logs)',
    layer: [
      ...faultLayers(data, false),
      {
        data: { values: data.processes },
        mark: { type: 'point' as const, filled: true, size: 40, opacity: 0.8 },
        encoding: {
          x: xAxis(data, 'second'),
          y: { field: 'transport', type: 'nominal' as const, title: null, sort: data.transports },
          shape: { field: 'kind', type: 'nominal' as const, title: 'process event' },
          color: { field: 'kind', type: 'nominal' as const, title: 'process event' },
        },
      },
    ],
  };
}

/**
 * Events per second sent, acknowledged and processed, one panel per transport; then the
 * consumer lag and the process timeline, all on one time axis with the fault windows.
 */
export function timelineSpec(data: ReportData): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Events per second (fault windows shaded)',
    vconcat: [
      {
        vconcat: data.transports.map((t) => ratePanel(data, t)),
        resolve: { scale: { color: 'shared' } },
      },
      lagPanel(data),
      processPanel(data),
    ],
    resolve: { scale: { color: 'independent', shape: 'independent' } },
  };
}

function ratePanel(data: ReportData, t: ReportData['transports'][number]) {
  const height = 140;
  const xDomain = [0, Math.max(1, data.durationSec)];
  return {
    width: WIDTH,
    height,
    title: t,
    layer: [
      ...faultLayers(data),
      {
        data: { values: data.timeline.filter((p) => p.transport === t) },
        mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.5 },
        encoding: {
          x: {
            field: 'second',
            type: 'quantitative' as const,
            title: 'seconds since start',
            scale: { domain: xDomain },
          },
          y: { field: 'events', type: 'quantitative' as const, title: 'events/s' },
          color: {
            field: 'series',
            type: 'nominal' as const,
            scale: {
              domain: ['sent', 'acked', 'processed'],
              range: ['#4c78a8', '#54a24b', '#f58518'],
            },
          },
        },
      },
    ],
  };
}

/** End-to-end latency of every processed event against the time it was sent. */
export function latencySpec(data: ReportData): TopLevelSpec {
  const height = 220;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title:
      data.latency.length < data.latencyTotal
        ? `End-to-end latency (${data.latency.length} of ${data.latencyTotal} events shown)`
        : 'End-to-end latency',
    width: WIDTH,
    height,
    layer: [
      ...faultLayers(data),
      {
        data: { values: data.latency },
        mark: { type: 'point', filled: true, size: 10, opacity: 0.6 },
        encoding: {
          x: {
            field: 'sentAt',
            type: 'quantitative',
            title: 'sent at (s since start)',
            scale: { domain: [0, Math.max(1, data.durationSec)] },
          },
          y: { field: 'latencyMs', type: 'quantitative', title: 'latency (ms)' },
          color: { field: 'transport', type: 'nominal' },
        },
      },
    ],
  };
}

/** Compiles and renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
