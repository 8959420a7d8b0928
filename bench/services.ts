import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TransportName } from '../lib/envelope.ts';
import { REPO_ROOT } from '../harness/infra/paths.ts';
import { freePort } from '../harness/infra/ports.ts';
import { ServerProcess } from '../harness/infra/server-process.ts';
import { waitUntil } from '../harness/infra/wait-until.ts';
import { WorkerPool } from '../harness/worker-pool.ts';
import type { Env } from './stack.ts';

/**
 * The system under test (and the raw baselines) as child processes in their own process
 * groups, killed with the bench however it ends (ServerProcess uses pdeathsig).
 */

function nodeProcess(name: string, script: string, args: string[], env: Env, logDir: string) {
  return new ServerProcess(name, {
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, script), ...args],
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    logFile: join(logDir, `${name}.log`),
  });
}

export interface ProducerHandle {
  readonly url: string;
  readonly pid: number | undefined;
  /** Undefined while running; else why it is gone (with its log's last lines). */
  exitReason(): string | undefined;
  stop(): Promise<void>;
}

export async function startProducer(
  env: Env,
  logDir: string,
  name = 'producer',
): Promise<ProducerHandle> {
  const port = await freePort();
  const proc = nodeProcess(
    name,
    'producer/main.ts',
    [],
    { ...env, PRODUCER_HOST: '127.0.0.1', PRODUCER_PORT: String(port) },
    logDir,
  );
  proc.start();
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      name,
      async () => (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })).ok,
      {
        timeoutMs: 60_000,
        gaveUp: () => proc.exitReason(),
      },
    );
  } catch (err) {
    await proc.kill();
    throw err;
  }
  return {
    url,
    pid: proc.pid,
    exitReason: () => proc.exitReason(),
    stop: async () => void (await proc.stop(15_000)),
  };
}

/** `workers/main.ts` with `size` workers; resolves once every worker runs. */
export async function startPool(
  transport: TransportName,
  size: number,
  env: Env,
  logDir: string,
  name = `workers-${transport}`,
): Promise<WorkerPool> {
  const pool = new WorkerPool({ transport, size, env, name, logFile: join(logDir, `${name}.log`) });
  try {
    await pool.start();
  } catch (err) {
    await pool.kill();
    throw err;
  }
  return pool;
}

export interface RawConsumersHandle {
  /** Throws if a consumer process died (so a wait does not run into its timeout). */
  check(): void;
  stop(): Promise<void>;
}

/** `count` raw consumer processes (bench/raw-consumer-main.ts), the drain baseline. */
export async function startRawConsumers(
  transport: TransportName,
  count: number,
  env: Env,
  logDir: string,
): Promise<RawConsumersHandle> {
  const procs = Array.from({ length: count }, (_, i) =>
    nodeProcess(
      `raw-consumer-${transport}-${i}`,
      'bench/raw-consumer-main.ts',
      ['--transport', transport, '--id', `raw${i}`],
      env,
      logDir,
    ),
  );
  for (const p of procs) p.start();
  await sleep(0);
  return {
    check() {
      for (const p of procs) {
        const reason = p.exitReason();
        if (reason !== undefined) throw new Error(reason);
      }
    },
    async stop() {
      await Promise.all(procs.map((p) => p.stop(5_000)));
    },
  };
}
