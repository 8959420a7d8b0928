import { createSeqHeap, type SeqHeap } from './seq-heap.ts';

/**
 * Key-ordered concurrency over the messages of one partition (the key-level ordering of
 * Confluent's Parallel Consumer): messages of one key run one at a time and in push (log)
 * order, messages of different keys run side by side, at most `concurrency` at once. The
 * commit point stays contiguous: `committable()` is the last message of the longest pushed
 * prefix that is all done, so committing through it never skips an unfinished message.
 *
 * Free of any client's types, so every Kafka client can use it: the caller pushes its own
 * message objects in log order and reads their offsets back from `committable()`.
 */
export interface KeyOrderedOptions<M> {
  /** Most `handle` calls in flight at once, over all keys (>= 1). */
  concurrency: number;
  /** The message's ordering key; undefined: no key, ordered against nothing. */
  keyOf: (message: M) => string | undefined;
  /**
   * Handles one message to completion. True: done. False: given up (the consumer is
   * draining or lost the partition); the scheduler then stops, and the message and all
   * after it stay uncommitted. A rejection does the same and is rethrown by `idle`/`stop`.
   */
  handle: (message: M) => Promise<boolean>;
  /** Called each time the commit point moves, with the new `committable()`. */
  onCommittable?: (message: M) => void;
}

export interface KeyOrderedScheduler<M> {
  /** Adds messages after those pushed before (log order) and starts what may start. */
  push(messages: Iterable<M>): void;
  /** Last message of the all-done prefix; undefined until the first pushed one is done. */
  committable(): M | undefined;
  /** Messages pushed and not done (queued, in flight, or given up). */
  pending(): number;
  inFlight(): number;
  /**
   * Resolves once nothing is in flight and nothing more will start: every message is done,
   * or the scheduler stopped. Rejects with a `handle` rejection, if there was one.
   */
  idle(): Promise<void>;
  /** Stops starting messages; resolves with `committable()` once in-flight ones finished. */
  stop(): Promise<M | undefined>;
  stopped(): boolean;
}

interface Entry<M> {
  readonly seq: number;
  readonly message: M;
  readonly key: string | undefined;
  done: boolean;
}

interface State<M> {
  readonly options: KeyOrderedOptions<M>;
  /** Pushed entries from the first undone one on (`head` indexes it), in seq order. */
  window: Entry<M>[];
  head: number;
  lastDone: M | undefined;
  pushed: number;
  doneCount: number;
  /** Startable entries: keyless ones and the first undone entry of each key. */
  ready: SeqHeap<Entry<M>>;
  /** Per key with an entry ready or in flight: its later entries, in order. */
  behind: Map<string, Entry<M>[]>;
  active: number;
  isStopped: boolean;
  failure: { error: unknown } | undefined;
  idleWaiters: (() => void)[];
}

/** Compact the window once this many done entries lead it (and they are most of it). */
const COMPACT_AT = 1024;

export function createKeyOrderedScheduler<M>(
  options: KeyOrderedOptions<M>,
): KeyOrderedScheduler<M> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  }
  const s: State<M> = {
    options,
    window: [],
    head: 0,
    lastDone: undefined,
    pushed: 0,
    doneCount: 0,
    ready: createSeqHeap<Entry<M>>(),
    behind: new Map(),
    active: 0,
    isStopped: false,
    failure: undefined,
    idleWaiters: [],
  };
  return {
    push: (messages) => push(s, messages),
    committable: () => s.lastDone,
    pending: () => s.pushed - s.doneCount,
    inFlight: () => s.active,
    idle: () => idle(s),
    stop: async () => {
      s.isStopped = true;
      pump(s); // wakes the idle waiters if nothing is in flight
      await idle(s);
      return s.lastDone;
    },
    stopped: () => s.isStopped,
  };
}

function push<M>(s: State<M>, messages: Iterable<M>): void {
  for (const message of messages) {
    const key = s.options.keyOf(message);
    const entry: Entry<M> = { seq: s.pushed++, message, key, done: false };
    s.window.push(entry);
    const queue = key === undefined ? undefined : s.behind.get(key);
    if (queue) queue.push(entry);
    else {
      // The key's first live entry: ready now; later ones of the key wait behind it.
      if (key !== undefined) s.behind.set(key, []);
      s.ready.push(entry);
    }
  }
  pump(s);
}

function pump<M>(s: State<M>): void {
  while (!s.isStopped && s.active < s.options.concurrency) {
    const entry = s.ready.pop();
    if (!entry) break;
    start(s, entry);
  }
  if (s.active === 0 && (s.isStopped || s.ready.size === 0)) {
    const waiters = s.idleWaiters;
    s.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

function start<M>(s: State<M>, entry: Entry<M>): void {
  s.active += 1;
  // Never synchronous: a handler that throws at once still settles through `finish`.
  void Promise.resolve()
    .then(() => s.options.handle(entry.message))
    .then(
      (done) => finish(s, entry, done),
      (error: unknown) => {
        s.failure ??= { error };
        finish(s, entry, false);
      },
    );
}

function finish<M>(s: State<M>, entry: Entry<M>, done: boolean): void {
  s.active -= 1;
  if (!done) {
    // Given up: its key stays blocked and nothing more starts, so order and the
    // contiguous commit point both hold for whoever handles the partition next.
    s.isStopped = true;
  } else {
    entry.done = true;
    s.doneCount += 1;
    advance(s);
    release(s, entry.key);
  }
  pump(s);
}

/** The key's next entry becomes ready; a key with none left is free again. */
function release<M>(s: State<M>, key: string | undefined): void {
  if (key === undefined) return;
  const queue = s.behind.get(key);
  const next = queue?.shift();
  if (next) s.ready.push(next);
  else s.behind.delete(key);
}

/** Moves the commit point over the done entries that lead the window. */
function advance<M>(s: State<M>): void {
  const before = s.head;
  while (s.head < s.window.length && (s.window[s.head] as Entry<M>).done) {
    s.lastDone = (s.window[s.head] as Entry<M>).message;
    s.head += 1;
  }
  if (s.head === before) return;
  if (s.head >= COMPACT_AT && s.head * 2 >= s.window.length) {
    s.window.splice(0, s.head);
    s.head = 0;
  }
  s.options.onCommittable?.(s.lastDone as M);
}

function idle<M>(s: State<M>): Promise<void> {
  const settled = s.active === 0 && (s.isStopped || s.ready.size === 0);
  const wait = settled ? Promise.resolve() : new Promise<void>((r) => s.idleWaiters.push(r));
  return wait.then(() => {
    if (s.failure) throw s.failure.error;
  });
}
