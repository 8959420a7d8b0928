import type { FaultWindow } from '../../history-index.ts';
import { effectSeriesOf, sortOps, stallMs, unavailableMs } from '../availability-figures.ts';
import type { AvailabilityLimits, Column, RecoveryMeasure, SafetyRule } from '../types.ts';

const name = (f: FaultWindow) => (f.target ? `${f.fault} ${f.target}` : f.fault);

/** The breaches of one fault window, each naming its figure, the fault and the limit. */
function breaches(
  f: FaultWindow,
  figures: Required<Pick<RecoveryMeasure, 'unavailableMs' | 'stallMs'>>,
  limits: AvailabilityLimits | undefined,
): string[] {
  const at = `${name(f)} @${(f.start / 1000).toFixed(1)}s`;
  const out: string[] = [];
  const { maxUnavailableMs: maxU, maxRecoveryMs: maxR } = limits ?? {};
  if (maxU !== undefined && figures.unavailableMs > maxU)
    out.push(
      `publish unavailable ${figures.unavailableMs} ms after ${at} > maxUnavailableMs ${maxU}`,
    );
  if (maxR !== undefined && figures.stallMs > maxR)
    out.push(`consumption stalled ${figures.stallMs} ms after ${at} > maxRecoveryMs ${maxR}`);
  return out;
}

const columns: Column[] = [
  {
    key: 'unavailableMaxMs',
    short: 'unavail-ms',
    label: 'publish unavailable, longest ms',
    value: (r) => r.unavailableMaxMs ?? null,
    terminal: false,
  },
  {
    key: 'stallMaxMs',
    short: 'stall-ms',
    label: 'consumption stall, longest ms',
    value: (r) => r.stallMaxMs ?? null,
    terminal: false,
  },
];

/**
 * Availability per fault (see `availability-figures.ts`): the publish unavailability window
 * and the consumption stall, always measured; broken only when the scenario declares a
 * limit (`maxUnavailableMs`, `maxRecoveryMs`) and a fault exceeds it.
 */
export const availability: SafetyRule<'availability', 'sink'> = {
  name: 'availability',
  needs: ['sink'],
  columns,
  run({ ids, sink, ops, faults, endTime, limits }) {
    const sorted = sortOps(ops);
    const series = faults.length > 0 ? effectSeriesOf(ids, sink) : undefined;
    const found: string[] = [];
    const recovery = faults.map((f) => {
      const figures = {
        unavailableMs: unavailableMs(sorted, f.start, f.heal, endTime),
        stallMs: series ? stallMs(series, f.startWall, f.healWall) : 0,
      };
      found.push(...breaches(f, figures, limits));
      return figures;
    });
    const max = (key: 'unavailableMs' | 'stallMs') =>
      recovery.reduce((m, w) => Math.max(m, w[key]), 0);
    return {
      recovery,
      anomalies: found.length > 0 ? ['availability'] : [],
      fields: {
        unavailableMaxMs: max('unavailableMs'),
        stallMaxMs: max('stallMs'),
        availabilityBreaches: found,
      },
    };
  },
};
