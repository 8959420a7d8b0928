import { readFileSync } from 'node:fs';
import type { TransportName } from '../lib/envelope.ts';
import type { PoolState } from '../workers/supervisor.ts';
import { nodeArgsFor } from './compiled-entry.ts';
import { REPO_ROOT } from './infra/paths.ts';
import { freePort } from './infra/ports.ts';
import { ServerProcess, type ExitStatus } from './infra/server-process.ts';
import { waitUntil } from './infra/wait-until.ts';

export type { PoolState, WorkerState } from '../workers/supervisor.ts';

export interface WorkerPoolOptions {
  transport: TransportName;
  size: number;
  env: NodeJS.ProcessEnv;
  /** stdout and stderr (the pool's JSON log lines), appended across restarts. */
  logFile: string;
  /** Process name in errors and progress lines (default `workers-<transport>`). */
  name?: string;
  /** Program to run instead of workers/main.ts (test fixtures). */
  entry?: string;
  /**
   * When `start()` resolves: once `size` consumers run (default), or as soon as the control
   * endpoint answers (for pools that are meant never to get there).
   */
  readyWhen?: 'running' | 'listening';
  startTimeoutMs?: number;
}

/**
 * A supervisor (node:cluster primary) and its workers as a real child process in its own
 * process group, steered through its control endpoint: the one wrapper the harness, the
 * bench and the tests share.
 */
export class WorkerPool {
  readonly transport: TransportName;
  private process: ServerProcess | undefined;
  private controlPort = 0;
  private desiredSize: number;

  constructor(private readonly options: WorkerPoolOptions) {
    this.transport = options.transport;
    this.desiredSize = options.size;
  }

  get size(): number {
    return this.desiredSize;
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get controlUrl(): string {
    return `http://127.0.0.1:${this.controlPort}`;
  }

  async start(): Promise<void> {
    const o = this.options;
    this.controlPort = await freePort();
    const name = o.name ?? `workers-${this.transport}`;
    const proc = new ServerProcess(name, {
      command: process.execPath,
      args: [
        ...nodeArgsFor(o.entry ?? 'workers/main.ts'),
        ...['--transport', this.transport, '--size', String(this.desiredSize)],
      ],
      cwd: REPO_ROOT,
      env: { ...process.env, ...o.env, WORKERS_CONTROL_PORT: String(this.controlPort) },
      logFile: o.logFile,
    });
    this.process = proc;
    proc.start();
    const ready = async () => {
      const { workers } = await this.state();
      if (o.readyWhen === 'listening') return true;
      return workers.filter((w) => w.state === 'running').length >= this.desiredSize;
    };
    await waitUntil(`${name} (${this.desiredSize} workers running)`, ready, {
      timeoutMs: o.startTimeoutMs ?? 60_000,
      gaveUp: () => proc.exitReason(),
    });
  }

  async state(): Promise<PoolState> {
    const response = await fetch(`${this.controlUrl}/state`, {
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`pool state answered ${response.status}`);
    return (await response.json()) as PoolState;
  }

  /** Answered once removed workers have drained: up to WORKER_DRAIN_TIMEOUT_MS and more. */
  async scale(size: number): Promise<PoolState> {
    this.desiredSize = size;
    const response = await fetch(`${this.controlUrl}/scale?size=${size}`, {
      method: 'POST',
      signal: AbortSignal.timeout(60_000),
    });
    if (!response.ok) throw new Error(`scale answered ${response.status}`);
    return (await response.json()) as PoolState;
  }

  /** Pids of the workers whose consumers run (those that can hold events). */
  async runningPids(): Promise<number[]> {
    return (await this.state()).workers.flatMap((w) =>
      w.state === 'running' && w.pid !== null ? [w.pid] : [],
    );
  }

  /** Sends `signal` to one running worker, chosen by `pick`; returns its pid. */
  async signalWorker(signal: NodeJS.Signals, pick: (pids: number[]) => number): Promise<number> {
    const pids = await this.runningPids();
    if (pids.length === 0) throw new Error(`${this.transport} pool has no live worker`);
    const pid = pick(pids);
    process.kill(pid, signal);
    return pid;
  }

  /** Sends `signal` to the primary alone (SIGTERM: it asks its workers to drain). */
  signal(signal: NodeJS.Signals): void {
    this.process?.signal(signal);
  }

  /** Resolves with how the primary ended, once it has. */
  exited(): Promise<ExitStatus> {
    return this.process?.exited() ?? Promise.resolve({ code: null, signal: null });
  }

  /** The JSON log lines the pool wrote so far. */
  logLines(): Record<string, unknown>[] {
    let text: string;
    try {
      text = readFileSync(this.options.logFile, 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** SIGKILL the primary and every worker at once (the whole process group). */
  async kill(): Promise<void> {
    await this.process?.kill();
  }

  /** SIGTERM: workers drain (finish and ack in-flight events), then the primary exits. */
  async stop(graceMs = 30_000): Promise<ExitStatus> {
    return (await this.process?.stop(graceMs)) ?? { code: null, signal: null };
  }
}
