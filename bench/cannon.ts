import autocannon from 'autocannon';

export interface CannonFigures {
  /** 2xx answers per second over the run. */
  okPerS: number;
  ok: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  durationS: number;
}

/** One autocannon run (time-bounded by `duration`), reduced to the figures we report. */
export async function runCannon(options: autocannon.Options): Promise<CannonFigures> {
  const result = await autocannon({ timeout: 10, ...options });
  const ok = result['2xx'];
  return {
    okPerS: result.duration > 0 ? ok / result.duration : Number.NaN,
    ok,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    durationS: result.duration,
  };
}
