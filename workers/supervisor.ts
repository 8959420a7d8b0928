import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import type { Config } from '../lib/config.ts';
import type { TransportName } from '../lib/envelope.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { isFromWorker, type ToWorker } from './messages.ts';
import { nextRespawn } from './respawn-policy.ts';

export interface SupervisorOptions {
  transport: TransportName;
  size: number;
  config: Config;
  /** Program each worker runs (default: the primary's own entry, as node:cluster does). */
  exec?: string;
  /** Extra time after `drainTimeoutMs` before a worker that has not exited is killed. */
  killGraceMs?: number;
  logger?: Logger;
}

export interface WorkerState {
  workerId: string;
  /** Null while the slot waits to be respawned. */
  pid: number | null;
  restarts: number;
  processed: number;
  /** ISO time the current process was forked. */
  startedAt: string | null;
  state: 'starting' | 'running' | 'respawning' | 'draining';
}

export interface PoolState {
  transport: TransportName;
  size: number;
  workers: WorkerState[];
  totalRestarts: number;
  processed: number;
}

interface Slot {
  workerId: string;
  worker?: ClusterWorker;
  restarts: number;
  processed: number;
  startedAtMs: number;
  fastExits: number;
  ready: boolean;
  respawnTimer?: NodeJS.Timeout;
}

export interface Supervisor {
  start(): void;
  state(): PoolState;
  /** Grows or shrinks the pool; removed workers drain gracefully. Resolves when done. */
  scale(size: number): Promise<void>;
  /** Drains every worker (bounded), then resolves. Idempotent. */
  stop(): Promise<void>;
}

/** A worker told to drain: its slot id and the promise of its exit. */
interface Retiring {
  workerId: string;
  done: Promise<void>;
}

/**
 * A worker can die between `isConnected()` and the write (one that crashes at start does,
 * often): the failed write is the worker's death, which its 'exit' handles, not an error
 * that may crash the supervisor. Given a callback, `send` reports it there instead of as an
 * unhandled 'error' event (EPIPE).
 */
const send = (worker: ClusterWorker, msg: ToWorker) => {
  if (worker.isConnected()) worker.send(msg, () => undefined);
};

/** What `GET /state` reports: the slots, then the workers still draining out of the pool. */
function poolState(
  transport: TransportName,
  slots: Iterable<Slot>,
  retiring: ReadonlyMap<ClusterWorker, Retiring>,
  totalRestarts: number,
): PoolState {
  const list = [...slots];
  const workers = list.map((s): WorkerState => ({
    workerId: s.workerId,
    pid: s.worker?.process.pid ?? null,
    restarts: s.restarts,
    processed: s.processed,
    startedAt: s.worker ? new Date(s.startedAtMs).toISOString() : null,
    state: s.worker ? (s.ready ? 'running' : 'starting') : 'respawning',
  }));
  const current = new Set(list.map((s) => s.worker));
  for (const [worker, { workerId }] of retiring) {
    if (current.has(worker)) continue;
    const pid = worker.process.pid ?? null;
    workers.push({ workerId, pid, restarts: 0, processed: 0, startedAt: null, state: 'draining' });
  }
  const processed = list.reduce((n, s) => n + s.processed, 0);
  return { transport, size: list.length, workers, totalRestarts, processed };
}

/**
 * The cluster primary: keeps `size` workers alive. A dead worker's slot is refilled after a
 * backoff (respawn-policy.ts) so a crash loop never spins; slots keep their id, so a
 * replacement takes over its predecessor's Redis consumer name. Workers that should stop
 * (scale down, shutdown) get a `drain` message and are SIGKILLed only if they outlive
 * `drainTimeoutMs + killGraceMs`.
 */
class PoolSupervisor implements Supervisor {
  private readonly log: Logger;
  private readonly killGraceMs: number;
  private readonly slots = new Map<string, Slot>();
  private readonly retiring = new Map<ClusterWorker, Retiring>();
  private nextId = 0;
  private stopping: Promise<void> | undefined;
  private totalRestarts = 0;

  constructor(private readonly options: SupervisorOptions) {
    this.log = options.logger ?? createLogger('supervisor', { transport: options.transport });
    this.killGraceMs = options.killGraceMs ?? 2000;
    if (options.exec) cluster.setupPrimary({ exec: options.exec });
  }

  start(): void {
    for (let i = 0; i < this.options.size; i += 1) this.addSlot();
  }

  state(): PoolState {
    return poolState(
      this.options.transport,
      this.slots.values(),
      this.retiring,
      this.totalRestarts,
    );
  }

  async scale(size: number): Promise<void> {
    if (!Number.isInteger(size) || size < 0 || size > 256)
      throw new RangeError(`size must be 0..256, got ${size}`);
    if (this.stopping) return;
    while (this.slots.size < size) this.addSlot();
    // Newest slots go first so the long-lived consumer names stay.
    const extra = [...this.slots.values()].slice(size);
    this.log.info({ size }, 'scaling');
    await Promise.all(extra.map((slot) => this.removeSlot(slot)));
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info({ workers: this.slots.size }, 'stopping: draining workers');
      const all = [...this.slots.values()];
      for (const s of all) clearTimeout(s.respawnTimer);
      const draining = all.flatMap((s) => (s.worker ? [this.retire(s.worker, s.workerId)] : []));
      await Promise.all(draining);
      await Promise.all([...this.retiring.values()].map((r) => r.done));
      this.log.info('all workers stopped');
    })();
    return this.stopping;
  }

  private fork(slot: Slot): void {
    slot.respawnTimer = undefined;
    slot.startedAtMs = Date.now();
    slot.ready = false;
    const worker = cluster.fork();
    slot.worker = worker;
    const { transport } = this.options;
    worker.on('message', (msg: unknown) => {
      if (!isFromWorker(msg)) return;
      if (msg.type === 'hello') send(worker, { type: 'start', workerId: slot.workerId, transport });
      if (msg.type === 'processed') slot.processed += msg.count;
      if (msg.type === 'ready') slot.ready = true;
    });
    worker.on('exit', (code, signal) => this.onExit(slot, worker, code, signal));
    // Its IPC channel breaking is its death, seen by 'exit'; unheard, it would crash the pool.
    worker.on('error', (err) =>
      this.log.debug({ workerId: slot.workerId, err: err.message }, 'worker channel error'),
    );
    this.log.info({ workerId: slot.workerId, pid: worker.process.pid }, 'worker forked');
  }

  private onExit(slot: Slot, worker: ClusterWorker, code: number | null, signal: string | null) {
    if (slot.worker !== worker) return; // a retired worker; its exit is awaited elsewhere
    slot.worker = undefined;
    if (this.stopping || !this.slots.has(slot.workerId)) return;
    const uptimeMs = Date.now() - slot.startedAtMs;
    const next = nextRespawn(this.options.config.workers, uptimeMs, slot.fastExits);
    slot.fastExits = next.fastExits;
    const fields = { workerId: slot.workerId, pid: worker.process.pid, code, signal, uptimeMs };
    const logged = { ...fields, respawnInMs: next.delayMs };
    if (next.fastExits > 1)
      this.log.warn({ ...logged, fastExits: next.fastExits }, 'worker crash-looping; backing off');
    else this.log.warn(logged, 'worker died; respawning');
    slot.respawnTimer = setTimeout(() => {
      if (this.stopping || !this.slots.has(slot.workerId)) return;
      slot.restarts += 1;
      this.totalRestarts += 1;
      this.fork(slot);
    }, next.delayMs);
  }

  /** Asks a worker to drain and resolves when it has exited (killing it if it overstays). */
  private retire(worker: ClusterWorker, workerId: string): Promise<void> {
    const existing = this.retiring.get(worker);
    if (existing) return existing.done;
    const done = new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      const killer = setTimeout(() => {
        this.log.warn({ pid: worker.process.pid }, 'worker did not drain in time; killing it');
        worker.process.kill('SIGKILL');
      }, this.options.config.workers.drainTimeoutMs + this.killGraceMs);
      worker.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      send(worker, { type: 'drain' });
    });
    this.retiring.set(worker, { workerId, done });
    void done.then(() => this.retiring.delete(worker));
    return done;
  }

  private addSlot(): void {
    const workerId = String(this.nextId++);
    const slot: Slot = {
      workerId,
      restarts: 0,
      processed: 0,
      startedAtMs: 0,
      fastExits: 0,
      ready: false,
    };
    this.slots.set(workerId, slot);
    this.fork(slot);
  }

  private async removeSlot(slot: Slot): Promise<void> {
    this.slots.delete(slot.workerId);
    clearTimeout(slot.respawnTimer);
    const worker = slot.worker;
    slot.worker = undefined;
    if (worker) await this.retire(worker, slot.workerId);
  }
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  return new PoolSupervisor(options);
}
