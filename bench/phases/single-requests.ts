import type { TransportName } from '../../lib/envelope.ts';
import { runCannon } from '../cannon.ts';
import type { BenchContext } from '../context.ts';
import { BENCH_EVENT_TYPE } from '../events.ts';
import { progress } from '../progress.ts';
import type { SingleResult } from '../results.ts';
import type { ProducerHandle } from '../services.ts';
import { subjectLabel } from '../subjects.ts';

/**
 * Requests/s and latency of single-event POSTs (autocannon, closed loop), and of
 * GET /livez on the same server: the HTTP ceiling. No id in the body, so the producer
 * makes a new one each time (a repeated id would be a no-op for BullMQ).
 */
export async function measureSingle(
  ctx: BenchContext,
  producer: ProducerHandle,
  target: TransportName | 'livez',
  variant?: string,
): Promise<SingleResult> {
  const { durationS, connections } = ctx.plan.single;
  const label = subjectLabel({ transport: target, variant });
  progress(`single requests ${label}: autocannon ${connections} connections, ${durationS} s`);
  const figures =
    target === 'livez'
      ? await runCannon({ url: `${producer.url}/livez`, connections, duration: durationS })
      : await runCannon({
          url: `${producer.url}/v1/events/${target}`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: BENCH_EVENT_TYPE, payload: ctx.payload }),
          connections,
          duration: durationS,
        });
  if (figures.ok === 0) {
    const gone = producer.exitReason();
    throw new Error(
      `no 2xx answer (${figures.non2xx} non-2xx, ${figures.errors} errors)${gone ? `: ${gone}` : ''}`,
    );
  }
  return {
    target,
    ...(variant === undefined ? {} : { variant }),
    requestsPerS: figures.okPerS,
    p50Ms: figures.p50Ms,
    p99Ms: figures.p99Ms,
    non2xx: figures.non2xx,
    errors: figures.errors,
  };
}
