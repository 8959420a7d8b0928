import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
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
/** How a process ended: its exit code, or the signal that ended it. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServerProcess {
  private child: ChildProcess | undefined;
  private exitedPromise: Promise<ExitStatus> = Promise.resolve({ code: null, signal: null });

  constructor(
    readonly name: string,
    private readonly cmd: ServerCommand,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logFile(): string {
    return this.cmd.logFile;
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Why a start-up wait should give up: the process exited (with its log's telling lines). */
  exitReason(): string | undefined {
    if (this.running) return undefined;
    let lines: string[] = [];
    try {
      lines = readFileSync(this.cmd.logFile, 'utf8').trim().split('\n');
    } catch {
      // No log yet.
    }
    return `${this.name} exited during start-up (log ${this.cmd.logFile}):\n${telling(lines)}`;
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
    this.exitedPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    void this.exitedPromise.then(() => live.delete(child));
    // Not on 'exit': children that outlive the leader (cluster workers still draining) keep
    // writing into the inherited pipes; 'close' comes once those are done too. A write error
    // of the log must never take the harness down.
    child.once('close', () => log.end());
    log.on('error', () => undefined);
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

  /** Resolves with how the current process ended, once it has. */
  exited(): Promise<ExitStatus> {
    return this.exitedPromise;
  }

  /**
   * SIGTERM to the group, then SIGKILL after `graceMs`; whatever of the group outlived its
   * leader is killed too, so nothing is left behind.
   */
  async stop(graceMs = 5000): Promise<ExitStatus> {
    const child = this.child;
    if (!child) return { code: null, signal: null };
    if (this.running) {
      killGroup(child, 'SIGTERM');
      const timedOut = await Promise.race([
        this.exitedPromise.then(() => false),
        sleep(graceMs, true),
      ]);
      if (timedOut) await this.kill();
    }
    const status = await this.exitedPromise;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The whole group is gone already.
    }
    return status;
  }
}

/** The first error with the lines that name it (a Java stack's head), then the log's end. */
export function telling(lines: readonly string[]): string {
  const tail = lines.slice(-8);
  const first = lines.findIndex((l) => /\b(ERROR|FATAL)\b/.test(l));
  if (first < 0 || first >= lines.length - tail.length) return tail.join('\n');
  const head = lines.slice(first, Math.min(first + 4, lines.length - tail.length));
  return [...head, '\t...', ...tail].join('\n');
}
