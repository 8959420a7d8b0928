/**
 * Helpers for the workers integration tests: put events into the brokers in the producer's
 * wire format with raw clients, and run the worker pool as a real child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../lib/config.ts';
import type { EventEnvelope, TransportName } from '../../lib/envelope.ts';
import { driverFor, isolatedNames } from '../../lib/transports/registry.ts';
import type { PoolState } from '../../workers/supervisor.ts';

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
export async function publishRaw(
  transport: TransportName,
  config: Config,
  events: readonly EventEnvelope[],
): Promise<void> {
  const publisher = await driverFor(transport).raw.publisher(config);
  try {
    for (let i = 0; i < events.length; i += 1000)
      await publisher.publish(events.slice(i, i + 1000));
  } finally {
    await publisher.close();
  }
}

export interface RunningPool {
  readonly child: ChildProcess;
  readonly controlUrl: string;
  /** Every JSON log line the pool wrote so far. */
  readonly logs: Record<string, unknown>[];
  state(): Promise<PoolState>;
  scale(size: number): Promise<PoolState>;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait (bounded); SIGKILL the group if it overstays. Idempotent. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartPoolOptions {
  transport: TransportName;
  size: number;
  env: Record<string, string>;
  /** Program to run instead of workers/main.ts (fixtures). */
  entry?: string;
  startTimeoutMs?: number;
}

/** Spawns the pool in its own process group and waits for its `controlUrl` log line. */
export async function startPool(options: StartPoolOptions): Promise<RunningPool> {
  const entry = options.entry ?? 'workers/main.ts';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', entry, '--transport', options.transport, '--size', String(options.size)],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  let resolveUrl: (url: string) => void = () => {};
  const urlPromise = new Promise<string>((resolve) => (resolveUrl = resolve));
  child.stdout?.setEncoding('utf8').on('data', (data: string) => {
    buffered += data;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (typeof entry.controlUrl === 'string') resolveUrl(entry.controlUrl);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (data: string) => {
    stderr = (stderr + data).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const controlUrl = await Promise.race([
    urlPromise,
    exited.then(({ code }) => {
      throw new Error(`pool exited (${code}) before it was up: ${stderr}`);
    }),
    sleep(timeoutMs).then(() => {
      throw new Error(`pool did not log controlUrl within ${timeoutMs} ms: ${stderr}`);
    }),
  ]);
  let stopping: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    child,
    controlUrl,
    logs,
    exited,
    async state() {
      const res = await fetch(`${controlUrl}/state`);
      return (await res.json()) as PoolState;
    },
    async scale(size) {
      const res = await fetch(`${controlUrl}/scale?size=${size}`, { method: 'POST' });
      return (await res.json()) as PoolState;
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const outcome = await Promise.race([exited, sleep(30_000).then(() => null)]);
        // Whatever happened, leave no process of the group behind.
        killGroup('SIGKILL');
        return outcome ?? (await exited);
      })();
      return stopping;
    },
  };
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
