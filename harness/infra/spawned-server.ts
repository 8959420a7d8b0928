import type { ServerProcess } from './server-process.ts';
import type { ManagedServer } from './types.ts';

/** The lifecycle every spawned server shares; subclasses say how to start and when it is ready. */
export abstract class SpawnedServer implements ManagedServer {
  abstract readonly name: ManagedServer['name'];
  protected abstract readonly process: ServerProcess;
  /** Grace between SIGTERM and SIGKILL on stop. */
  protected readonly stopGraceMs: number = 5000;

  abstract start(): Promise<void>;

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.running;
  }

  get logFile(): string {
    return this.process.logFile;
  }

  kill(): Promise<void> {
    return this.process.kill();
  }

  async restart(): Promise<void> {
    if (this.process.running) await this.process.stop(this.stopGraceMs);
    await this.start();
  }

  async stop(): Promise<void> {
    await this.process.stop(this.stopGraceMs);
  }
}
