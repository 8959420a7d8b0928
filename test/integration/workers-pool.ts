/**
 * Helpers for the workers integration tests: put events into the brokers in the producer's
 * wire format with raw clients, and run the worker pool as a real child process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventEnvelope, TransportName } from '../../lib/envelope.ts';
import { isolatedNames } from '../../lib/transports/registry.ts';
import { WorkerPool } from '../../harness/worker-pool.ts';

export function makeEvents(
  count: number,
  options: { poison?: (i: number) => boolean; prefix?: string } = {},
): EventEnvelope[] {
  const prefix = options.prefix ?? `e${randomBytes(3).toString('hex')}`;
  const producedAt = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    type: 'test.event',
    payload: options.poison?.(i) ? { i, poison: true } : { i },
    producedAt,
  }));
}

/** Writes events the way the producer does (the driver's raw client), over the direct endpoints. */
export { fillBacklog as publishRaw } from '../../bench/raw-publishers.ts';

export interface StartPoolOptions {
  transport: TransportName;
  size: number;
  env: Record<string, string>;
  /** Program to run instead of workers/main.ts (fixtures). */
  entry?: string;
  startTimeoutMs?: number;
}

/** Starts the pool (the harness' WorkerPool), logging to a temp file, once it listens. */
export async function startPool(options: StartPoolOptions): Promise<WorkerPool> {
  const dir = await mkdtemp(join(tmpdir(), 'pool-'));
  const pool = new WorkerPool({
    ...options,
    logFile: join(dir, 'workers.log'),
    readyWhen: 'listening',
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
  });
  await pool.start();
  return pool;
}

/** Polls `check` every `intervalMs` until it returns true; throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 200,
): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Env that gives a test its own topic/stream/queue/group and sink namespace. */
export function isolatedEnv(tag: string): Record<string, string> {
  return isolatedNames(`${tag}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`);
}
