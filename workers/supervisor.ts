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

/**
 * The cluster primary: keeps `size` workers alive. A dead worker's slot is refilled after a
 * backoff (respawn-policy.ts) so a crash loop never spins; slots keep their id, so a
 * replacement takes over its predecessor's Redis consumer name. Workers that should stop
 * (scale down, shutdown) get a `drain` message and are SIGKILLed only if they outlive
 * `drainTimeoutMs + killGraceMs`.
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { transport, config } = options;
  const w = config.workers;
  const log = options.logger ?? createLogger('supervisor', { transport });
  const killGraceMs = options.killGraceMs ?? 2000;
  const slots = new Map<string, Slot>();
  /** Workers told to drain, with the promise of their exit. */
  const retiring = new Map<ClusterWorker, { workerId: string; done: Promise<void> }>();
  let nextId = 0;
  let stopping: Promise<void> | undefined;
  let totalRestarts = 0;

  if (options.exec) cluster.setupPrimary({ exec: options.exec });

  function fork(slot: Slot) {
    slot.respawnTimer = undefined;
    slot.startedAtMs = Date.now();
    slot.ready = false;
    const worker = cluster.fork();
    slot.worker = worker;
    worker.on('message', (msg: unknown) => {
      if (!isFromWorker(msg)) return;
      if (msg.type === 'hello') send(worker, { type: 'start', workerId: slot.workerId, transport });
      if (msg.type === 'processed') slot.processed += msg.count;
      if (msg.type === 'ready') slot.ready = true;
    });
    worker.on('exit', (code, signal) => onExit(slot, worker, code, signal));
    log.info({ workerId: slot.workerId, pid: worker.process.pid }, 'worker forked');
  }

  function send(worker: ClusterWorker, msg: ToWorker) {
    if (worker.isConnected()) worker.send(msg);
  }

  function onExit(slot: Slot, worker: ClusterWorker, code: number | null, signal: string | null) {
    if (slot.worker !== worker) return; // a retired worker; its exit is awaited elsewhere
    slot.worker = undefined;
    if (stopping || !slots.has(slot.workerId)) return;
    const uptimeMs = Date.now() - slot.startedAtMs;
    const next = nextRespawn(w, uptimeMs, slot.fastExits);
    slot.fastExits = next.fastExits;
    const fields = {
      workerId: slot.workerId,
      pid: worker.process.pid,
      code,
      signal,
      uptimeMs,
      respawnInMs: next.delayMs,
    };
    if (next.fastExits > 1)
      log.warn({ ...fields, fastExits: next.fastExits }, 'worker crash-looping; backing off');
    else log.warn(fields, 'worker died; respawning');
    slot.respawnTimer = setTimeout(() => {
      if (stopping || !slots.has(slot.workerId)) return;
      slot.restarts += 1;
      totalRestarts += 1;
      fork(slot);
    }, next.delayMs);
  }

  /** Asks a worker to drain and resolves when it has exited (killing it if it overstays). */
  function retire(worker: ClusterWorker, workerId: string): Promise<void> {
    const existing = retiring.get(worker);
    if (existing) return existing.done;
    const done = new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      const killer = setTimeout(() => {
        log.warn({ pid: worker.process.pid }, 'worker did not drain in time; killing it');
        worker.process.kill('SIGKILL');
      }, w.drainTimeoutMs + killGraceMs);
      worker.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      send(worker, { type: 'drain' });
    });
    retiring.set(worker, { workerId, done });
    void done.then(() => retiring.delete(worker));
    return done;
  }

  function addSlot() {
    const slot: Slot = {
      workerId: String(nextId++),
      restarts: 0,
      processed: 0,
      startedAtMs: 0,
      fastExits: 0,
      ready: false,
    };
    slots.set(slot.workerId, slot);
    fork(slot);
  }

  async function removeSlot(slot: Slot) {
    slots.delete(slot.workerId);
    clearTimeout(slot.respawnTimer);
    const worker = slot.worker;
    slot.worker = undefined;
    if (worker) await retire(worker, slot.workerId);
  }

  return {
    start() {
      for (let i = 0; i < options.size; i += 1) addSlot();
    },

    state() {
      const workers = [...slots.values()].map((s): WorkerState => {
        const pid = s.worker?.process.pid ?? null;
        const state = s.worker ? (s.ready ? 'running' : 'starting') : 'respawning';
        return {
          workerId: s.workerId,
          pid,
          restarts: s.restarts,
          processed: s.processed,
          startedAt: s.worker ? new Date(s.startedAtMs).toISOString() : null,
          state,
        };
      });
      const current = new Set([...slots.values()].map((s) => s.worker));
      for (const [worker, { workerId }] of retiring) {
        if (!current.has(worker))
          workers.push({
            workerId,
            pid: worker.process.pid ?? null,
            restarts: 0,
            processed: 0,
            startedAt: null,
            state: 'draining',
          });
      }
      return {
        transport,
        size: slots.size,
        workers,
        totalRestarts,
        processed: [...slots.values()].reduce((n, s) => n + s.processed, 0),
      };
    },

    async scale(size) {
      if (!Number.isInteger(size) || size < 0 || size > 256)
        throw new RangeError(`size must be 0..256, got ${size}`);
      if (stopping) return;
      while (slots.size < size) addSlot();
      // Newest slots go first so the long-lived consumer names stay.
      const extra = [...slots.values()].slice(size);
      log.info({ size }, 'scaling');
      await Promise.all(extra.map(removeSlot));
    },

    stop() {
      stopping ??= (async () => {
        log.info({ workers: slots.size }, 'stopping: draining workers');
        const all = [...slots.values()];
        for (const s of all) clearTimeout(s.respawnTimer);
        await Promise.all(
          all.map((s) => (s.worker ? retire(s.worker, s.workerId) : Promise.resolve())),
        );
        await Promise.all([...retiring.values()].map((r) => r.done));
        log.info('all workers stopped');
      })();
      return stopping;
    },
  };
}
