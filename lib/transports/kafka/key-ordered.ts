import { createSeqHeap, type SeqHeap } from './seq-heap.ts';

/**
 * Key-ordered concurrency over the messages of one partition (the key-level ordering of
 * Confluent's Parallel Consumer): messages of one key run one at a time and in push (log)
 * order, messages of different keys run side by side, at most `concurrency` at once. The
 * commit point stays contiguous: `committable()` is the last message of the longest pushed
 * prefix that is all done, so committing through it never skips an unfinished message.
 *
 * Messages are admitted before they may start: in log order, a group of up to
 * `concurrency` at a time, once fewer than `concurrency` admitted ones wait to start (so
 * at most about twice that wait). `admit` sees each group before any of it starts, in one
 * call (the Kafka consumer counts their receipts in one round trip there). A stop lets
 * every admitted message run, and admits no more.
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
  /**
   * Sees each admitted group (log order, up to `concurrency` messages) before any of it
   * starts. A rejection stops the scheduler (the group never starts) and is rethrown by
   * `idle`/`stop`. Default: admitted at once.
   */
  admit?: (messages: readonly M[]) => Promise<void>;
  /** Called each time the commit point moves, with the new `committable()`. */
  onCommittable?: (message: M) => void;
}

export interface KeyOrderedScheduler<M> {
  /** Adds messages after those pushed before (log order) and starts what may start. */
  push(messages: Iterable<M>): void;
  /** Last message of the all-done prefix; undefined until the first pushed one is done. */
  committable(): M | undefined;
  /** Last message admitted; undefined before the first admission. */
  admitted(): M | undefined;
  /** Messages pushed and not done (queued, in flight, or given up). */
  pending(): number;
  inFlight(): number;
  /**
   * Resolves once nothing is in flight and nothing more will start: every message is done,
   * or the scheduler stopped. Rejects with a `handle` or `admit` rejection, if there was one.
   */
  idle(): Promise<void>;
  /**
   * Stops admitting; resolves with `committable()` once every admitted message ran. Those
   * waiting behind their key still run, so the commit point reaches every message admitted
   * (a graceful drain then leaves nothing applied but uncommitted, which would come back
   * redelivered).
   */
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
  /** Startable entries by key: keyless ones and the first undone entry of each key. */
  ready: SeqHeap<Entry<M>>;
  /** Per key with an entry ready or in flight: its later entries, in order. */
  behind: Map<string, Entry<M>[]>;
  active: number;
  /** Entries admitted (seqs 0 .. admittedCount - 1) and started so far. */
  admittedCount: number;
  startedCount: number;
  lastAdmitted: M | undefined;
  /** An `admit` call is in flight. */
  admitting: boolean;
  /** Given up: nothing more starts, admitted or not. */
  halted: boolean;
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
    admittedCount: 0,
    startedCount: 0,
    lastAdmitted: undefined,
    admitting: false,
    halted: false,
    isStopped: false,
    failure: undefined,
    idleWaiters: [],
  };
  return {
    push: (messages) => push(s, messages),
    committable: () => s.lastDone,
    admitted: () => s.lastAdmitted,
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

/** The pushed entry of `seq` (undone ones are always in the window). */
function entryAt<M>(s: State<M>, seq: number): Entry<M> {
  const first = s.window[0] as Entry<M>;
  return s.window[seq - first.seq] as Entry<M>;
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
  // Admitting may make entries startable, and starting may let more be admitted.
  for (admitMore(s); s.active < s.options.concurrency && startable(s); admitMore(s)) {
    start(s, s.ready.pop() as Entry<M>);
  }
  if (s.active === 0 && !s.admitting && !startable(s)) {
    const waiters = s.idleWaiters;
    s.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

/** The oldest ready entry may start: it is admitted and nothing was given up. */
function startable<M>(s: State<M>): boolean {
  const next = s.ready.peek();
  return !s.halted && next !== undefined && next.seq < s.admittedCount;
}

/** Admits the next group once fewer than `concurrency` admitted entries wait to start. */
function admitMore<M>(s: State<M>): void {
  const { concurrency, admit } = s.options;
  if (s.isStopped || s.halted || s.admitting || s.admittedCount >= s.pushed) return;
  if (s.admittedCount - s.startedCount >= concurrency) return;
  const from = s.admittedCount;
  const to = Math.min(s.pushed, from + concurrency);
  const group: M[] = [];
  for (let seq = from; seq < to; seq += 1) group.push(entryAt(s, seq).message);
  const admitted = () => {
    s.admittedCount = to;
    s.lastAdmitted = group.at(-1);
  };
  if (!admit) return admitted();
  s.admitting = true;
  void Promise.resolve()
    .then(() => admit(group))
    .then(admitted, (error: unknown) => giveUp(s, error))
    .finally(() => {
      s.admitting = false;
      pump(s);
    });
}

function start<M>(s: State<M>, entry: Entry<M>): void {
  s.active += 1;
  s.startedCount += 1;
  // Never synchronous: a handler that throws at once still settles through `finish`.
  void Promise.resolve()
    .then(() => s.options.handle(entry.message))
    .then(
      (done) => finish(s, entry, done),
      (error: unknown) => {
        giveUp(s, error);
        finish(s, entry, false);
      },
    );
}

/** Nothing more starts: the partition goes to its next owner from the commit point. */
function giveUp<M>(s: State<M>, error?: unknown): void {
  if (error !== undefined) s.failure ??= { error };
  s.halted = true;
  s.isStopped = true;
}

function finish<M>(s: State<M>, entry: Entry<M>, done: boolean): void {
  s.active -= 1;
  if (!done) {
    // Given up: its key stays blocked and nothing more starts, so order and the
    // contiguous commit point both hold for whoever handles the partition next.
    giveUp(s);
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
  const settled = s.active === 0 && !s.admitting && !startable(s);
  const wait = settled ? Promise.resolve() : new Promise<void>((r) => s.idleWaiters.push(r));
  return wait.then(() => {
    if (s.failure) throw s.failure.error;
  });
}
