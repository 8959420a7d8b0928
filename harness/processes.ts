import { join } from 'node:path';
import { nodeArgsFor } from './compiled-entry.ts';
import { REPO_ROOT } from './infra/paths.ts';
import { freePort } from './infra/ports.ts';
import { ServerProcess } from './infra/server-process.ts';
import { waitUntil } from './infra/wait-until.ts';

/**
 * The producer under test as a real child process in its own process group, with its log in
 * the run folder (the worker pools are `WorkerPool`s).
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
    args: [...nodeArgsFor(script), ...args],
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
