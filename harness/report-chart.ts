import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from './report-data.ts';

/**
 * Vega-Lite specs of the report's plots, rendered server-side to SVG strings (renderer
 * 'none', no canvas, no browser), so the HTML page needs no script to show them.
 */
const WIDTH = 720;
const FAULT_FILL = '#e45756';

function faultLayers(data: ReportData) {
  // Instant faults get a visible sliver; the label sits at the top of the band.
  const bands = data.faults.map((f) => ({
    ...f,
    label: f.target ? `${f.fault} ${f.target}` : f.fault,
    end: Math.max(f.end, f.start + 0.3),
  }));
  return [
    {
      data: { values: bands },
      mark: { type: 'rect' as const, color: FAULT_FILL, opacity: 0.15 },
      encoding: {
        x: { field: 'start', type: 'quantitative' as const },
        x2: { field: 'end' },
      },
    },
    {
      data: { values: bands },
      mark: {
        type: 'text' as const,
        align: 'left' as const,
        baseline: 'top' as const,
        dx: 2,
        y: 2,
        fontSize: 9,
        color: '#a33',
        limit: 140,
      },
      encoding: {
        x: { field: 'start', type: 'quantitative' as const },
        text: { field: 'label', type: 'nominal' as const },
      },
    },
  ];
}

/** Events per second sent, acknowledged and processed, one panel per transport. */
export function timelineSpec(data: ReportData): TopLevelSpec {
  const height = 140;
  const xDomain = [0, Math.max(1, data.durationSec)];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Events per second (fault windows shaded)',
    vconcat: data.transports.map((t) => ({
      width: WIDTH,
      height,
      title: t,
      layer: [
        ...faultLayers(data),
        {
          data: { values: data.timeline.filter((p) => p.transport === t) },
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
          encoding: {
            x: {
              field: 'second',
              type: 'quantitative',
              title: 'seconds since start',
              scale: { domain: xDomain },
            },
            y: { field: 'events', type: 'quantitative', title: 'events/s' },
            color: {
              field: 'series',
              type: 'nominal',
              scale: {
                domain: ['sent', 'acked', 'processed'],
                range: ['#4c78a8', '#54a24b', '#f58518'],
              },
            },
          },
        },
      ],
    })),
    resolve: { scale: { color: 'shared' } },
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
