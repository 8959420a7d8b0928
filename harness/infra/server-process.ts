import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerCommand {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr go here, appended, so restarts keep one log. */
  logFile: string;
}

/** Every live server process group, so an exiting harness can kill what it started. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort for a harness that exits without stop(): 'exit' handlers must be synchronous.
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * A server in its own process group. On Linux it runs under `setpriv --pdeathsig SIGKILL`,
 * so the kernel kills it the moment the harness dies, however it dies (even SIGKILL).
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exitedPromise: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly cmd: ServerCommand,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Why a start-up wait should give up: the process exited (with its log's last lines). */
  exitReason(): string | undefined {
    if (this.running) return undefined;
    let tail = '';
    try {
      tail = readFileSync(this.cmd.logFile, 'utf8').trim().split('\n').slice(-8).join('\n');
    } catch {
      // No log yet.
    }
    return `${this.name} exited during start-up; last log lines:\n${tail}`;
  }

  start(): void {
    installExitHook();
    const log = createWriteStream(this.cmd.logFile, { flags: 'a' });
    const [command, args] = existsSync(SETPRIV)
      ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', this.cmd.command, ...this.cmd.args]]
      : [this.cmd.command, this.cmd.args];
    const child = spawn(command, args, {
      cwd: this.cmd.cwd,
      env: this.cmd.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.on('error', (err) => log.write(`spawn error: ${err.message}\n`));
    this.exitedPromise = once(child, 'exit').catch(() => undefined);
    void this.exitedPromise.then(() => {
      live.delete(child);
      log.end();
    });
    live.add(child);
    this.child = child;
  }

  /** SIGKILL the whole group and wait for it: the crash a broker-restart fault simulates. */
  async kill(): Promise<void> {
    if (!this.child) return;
    killGroup(this.child, 'SIGKILL');
    await this.exitedPromise;
  }

  /** Sends `signal` to the process itself (not its group). */
  signal(signal: NodeJS.Signals): void {
    if (this.child?.pid !== undefined && this.running) process.kill(this.child.pid, signal);
  }

  /** Resolves when the current process has exited. */
  async exited(): Promise<void> {
    await this.exitedPromise;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.child || !this.running) return;
    killGroup(this.child, 'SIGTERM');
    const timedOut = await Promise.race([
      this.exitedPromise.then(() => false),
      sleep(graceMs, true),
    ]);
    if (timedOut) await this.kill();
  }
}
