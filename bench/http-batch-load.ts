import { Agent, request } from 'node:http';
import { forEachBounded } from '../lib/bounded.ts';

export interface BatchLoadResult {
  requests: number;
  /** Requests answered 202. */
  accepted: number;
  ms: number;
  /** Answers other than 202 and socket errors, by status ("error" for the latter). */
  failures: Record<string, number>;
}

/**
 * POSTs the prepared bodies with `concurrency` requests in flight over keep-alive
 * connections (plain node:http: the cheapest client, so it takes the least CPU from the
 * producer on a shared machine). Bounded by the body count and by `timeoutMs` per request.
 */
export async function postBodies(
  url: string,
  bodies: readonly string[],
  concurrency: number,
  timeoutMs = 30_000,
): Promise<BatchLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const failures: Record<string, number> = {};
  let accepted = 0;
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  try {
    await forEachBounded(bodies, concurrency, async (body) => {
      try {
        const status = await post(body);
        if (status === 202) accepted += 1;
        else failures[status] = (failures[status] ?? 0) + 1;
      } catch {
        failures.error = (failures.error ?? 0) + 1;
      }
    });
  } finally {
    agent.destroy();
  }
  return { requests: bodies.length, accepted, ms: performance.now() - started, failures };
}
