import { join } from 'node:path';
import type { TransportName } from '../lib/envelope.ts';
import { REPO_ROOT } from './infra/paths.ts';
import { freePort } from './infra/ports.ts';
import { ServerProcess } from './infra/server-process.ts';
import { waitUntil } from './infra/wait-until.ts';

/**
 * The system under test as real child processes: the producer and one worker pool per
 * transport, each in its own process group with its log in the run folder.
 */

function nodeService(
  name: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
) {
  return new ServerProcess(name, {
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, script), ...args],
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    logFile,
  });
}

export class ProducerService {
  private process: ServerProcess | undefined;
  private port = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly runDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const env = { ...this.env, PRODUCER_HOST: '127.0.0.1', PRODUCER_PORT: String(this.port) };
    this.process = nodeService(
      'producer',
      'producer/main.ts',
      [],
      env,
      join(this.runDir, 'producer.log'),
    );
    this.process.start();
    const proc = this.process;
    await waitUntil('producer', async () => (await fetch(`${this.url}/readyz`)).ok, {
      timeoutMs: 60000,
      gaveUp: () => proc.exitReason(),
    });
  }

  /** SIGTERM: the producer answers what is in flight, then exits. */
  async stop(): Promise<void> {
    await this.process?.stop(15000);
  }
}

/** As the supervisor's `GET /state` reports a worker (pid null while it is respawning). */
export interface WorkerState {
  workerId: string;
  pid: number | null;
  restarts: number;
  processed: number;
  startedAt?: string;
  /** `running` once the worker's consumer has started. */
  state: 'starting' | 'running' | 'respawning' | 'draining';
}

export interface PoolState {
  transport: TransportName;
  size: number;
  workers: WorkerState[];
  totalRestarts: number;
}

/** A supervisor (node:cluster primary) and its workers, steered through its control endpoint. */
export class WorkerPool {
  private process: ServerProcess | undefined;
  private controlPort = 0;
  private desiredSize: number;

  constructor(
    readonly transport: TransportName,
    size: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly runDir: string,
  ) {
    this.desiredSize = size;
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

  async start(): Promise<void> {
    this.controlPort = await freePort();
    const env = { ...this.env, WORKERS_CONTROL_PORT: String(this.controlPort) };
    this.process = nodeService(
      `workers-${this.transport}`,
      'workers/main.ts',
      ['--transport', this.transport, '--size', String(this.desiredSize)],
      env,
      join(this.runDir, `workers-${this.transport}.log`),
    );
    this.process.start();
    const proc = this.process;
    await waitUntil(
      `${this.transport} worker pool`,
      async () => {
        const { workers } = await this.state();
        return workers.filter((w) => w.state === 'running').length >= this.desiredSize;
      },
      { timeoutMs: 60000, gaveUp: () => proc.exitReason() },
    );
  }

  async state(): Promise<PoolState> {
    const response = await fetch(`http://127.0.0.1:${this.controlPort}/state`, {
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`pool state answered ${response.status}`);
    return (await response.json()) as PoolState;
  }

  async scale(size: number): Promise<void> {
    this.desiredSize = size;
    const response = await fetch(`http://127.0.0.1:${this.controlPort}/scale?size=${size}`, {
      method: 'POST',
      // Answered once removed workers have drained: up to WORKER_DRAIN_TIMEOUT_MS and more.
      signal: AbortSignal.timeout(60000),
    });
    if (!response.ok) throw new Error(`scale answered ${response.status}`);
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

  /** SIGKILL the primary and every worker at once (the whole process group). */
  async kill(): Promise<void> {
    await this.process?.kill();
  }

  /** SIGTERM: workers drain (finish and ack in-flight events), then the primary exits. */
  async stop(): Promise<void> {
    await this.process?.stop(30000);
  }
}
