import type { TransportName } from '../lib/envelope.ts';
import type { Client, ClientEvent } from './client.ts';
import type { HistorySink, RunClock } from './history.ts';
import type { Random } from './random.ts';

/**
 * Open-loop load with a concurrency bound: per transport, request k is due at
 * `k * batchSize / ratePerSec` seconds after start and is sent by whichever of the
 * `concurrency` client processes is free. Every request is recorded as invoke + completion.
 * Bounded by count (`messages` per transport) and by time (`durationSec`).
 */
export interface GeneratorOptions {
  client: Client;
  history: HistorySink;
  clock: RunClock;
  random: Random;
  /** Prefix of every id: ids are `<seed>-<transport>-<n>`, unique per run. */
  seed: string;
  transports: readonly TransportName[];
  /** Events per transport (default 500). */
  messages?: number;
  /** Events per second per transport (default 50). */
  ratePerSec?: number;
  /** Stop issuing after this many seconds (default: twice the nominal load time + 10 s). */
  durationSec?: number;
  /** Requests in flight per transport (default 4). */
  concurrency?: number;
  /** Events per request (default 1). */
  batchSize?: number;
  /** Fraction of events sent with `payload.poison = true` (default 0). */
  poisonFraction?: number;
  /** Approximate payload size in bytes (default 64). */
  payloadBytes?: number;
  /** Event `type` field (default `harness.test`). */
  eventType?: string;
  /**
   * Keyed streams: event n gets key `key-<n mod keys>`, so each key's events follow each
   * other in send order (default: no key, the id is the key).
   */
  keys?: number;
  /**
   * With `keys`: an event is sent only once the previous event of its key completed, so
   * each key is one sequential client (what the checker's nonmonotonic-send rule judges).
   */
  sequential?: boolean;
}

export interface TransportProgress {
  /** Events invoked. */
  sent: number;
  acked: number;
  failed: number;
  info: number;
  /** Requests in flight now. */
  inFlight: number;
  /** Events the generator has not issued yet and will (0 once stopped). */
  remaining: number;
}

export type GeneratorProgress = Record<TransportName, TransportProgress>;

export interface Generator {
  /** Runs the load; resolves once nothing is left to issue and every request completed. */
  run(): Promise<GeneratorProgress>;
  /** Stops issuing new requests; in-flight ones complete and are recorded. Idempotent. */
  stop(): void;
  /** Live counters (a copy). */
  progress(): GeneratorProgress;
}

const DEFAULTS = {
  messages: 500,
  ratePerSec: 50,
  concurrency: 4,
  batchSize: 1,
  poisonFraction: 0,
  payloadBytes: 64,
  eventType: 'harness.test',
};

type ResolvedOptions = typeof DEFAULTS & GeneratorOptions;

/** One request's worth of events, and when it is due on the run clock. */
interface Batch {
  events: ClientEvent[];
  poison: string[];
  due: number;
  /** Sequential keys: settles once the previous request of each of its keys completed. */
  after?: Promise<unknown>;
  /** Sequential keys: called once this request completed (or was never sent). */
  done?: () => void;
}

/** Shared by every slot: whether the run stopped, and a sleep that a stop cuts short. */
interface StopSignal {
  readonly stopped: () => boolean;
  readonly stop: () => void;
  readonly sleep: (ms: number) => Promise<void>;
  /** Until `p` settles or the run stops. */
  readonly until: (p: Promise<unknown>) => Promise<void>;
}

/** What a slot needs to send one transport's batches and record them. */
interface SlotContext {
  transport: TransportName;
  nextBatch: () => Batch | undefined;
  stat: TransportProgress;
  signal: StopSignal;
  client: Client;
  history: HistorySink;
  clock: RunClock;
  /** Client processes over all transports: a retired process's successor is `proc + total`. */
  total: number;
}

function validate(
  o: Required<Omit<GeneratorOptions, 'durationSec' | 'keys' | 'sequential'>> &
    Pick<GeneratorOptions, 'keys' | 'sequential'>,
  durationSec: number,
): void {
  const positive: [string, number][] = [
    ['messages', o.messages],
    ['ratePerSec', o.ratePerSec],
    ['concurrency', o.concurrency],
    ['batchSize', o.batchSize],
    ['durationSec', durationSec],
  ];
  for (const [name, value] of positive) {
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new RangeError(`generator option ${name} must be a positive number, got ${value}`);
    }
  }
  if (!(o.poisonFraction >= 0 && o.poisonFraction <= 1)) {
    throw new RangeError(`generator option poisonFraction must be in [0, 1]`);
  }
  if (o.transports.length === 0) throw new RangeError('generator option transports is empty');
  if (o.keys !== undefined && !(Number.isInteger(o.keys) && o.keys >= 1)) {
    throw new RangeError(`generator option keys must be a whole number >= 1, got ${o.keys}`);
  }
  if (o.sequential && o.keys === undefined) {
    throw new RangeError('generator option sequential needs keys');
  }
}

export function createGenerator(options: GeneratorOptions): Generator {
  const o = { ...DEFAULTS, ...options };
  const durationSec = options.durationSec ?? (2 * o.messages) / o.ratePerSec + 10;
  validate(o, durationSec);
  const stats = Object.fromEntries(
    o.transports.map((t) => [
      t,
      { sent: 0, acked: 0, failed: 0, info: 0, inFlight: 0, remaining: o.messages },
    ]),
  ) as GeneratorProgress;
  const signal = stopSignal(() => {
    for (const t of o.transports) stats[t].remaining = 0;
  });

  const driveTransport = async (transport: TransportName, index: number, startTime: number) => {
    const stat = stats[transport];
    const nextBatch = batchSource(o, transport, stat, signal, startTime);
    const ctx: SlotContext = {
      transport,
      nextBatch,
      stat,
      signal,
      client: o.client,
      history: o.history,
      clock: o.clock,
      total: o.transports.length * o.concurrency,
    };
    await Promise.all(
      Array.from({ length: o.concurrency }, (_, i) => runSlot(ctx, index * o.concurrency + i)),
    );
  };

  const progress = (): GeneratorProgress =>
    Object.fromEntries(Object.entries(stats).map(([t, s]) => [t, { ...s }])) as GeneratorProgress;

  let running: Promise<GeneratorProgress> | undefined;
  return {
    run() {
      running ??= (async () => {
        const startTime = o.clock.now().time;
        const deadline = setTimeout(signal.stop, durationSec * 1000);
        try {
          await Promise.all(o.transports.map((t, i) => driveTransport(t, i, startTime)));
        } finally {
          clearTimeout(deadline);
          for (const t of o.transports) stats[t].remaining = 0;
        }
        return progress();
      })();
      return running;
    },
    stop: signal.stop,
    progress,
  };
}

/** A stop flag whose `stop` runs `onStop` once, then wakes every sleeper. */
function stopSignal(onStop: () => void): StopSignal {
  let stopped = false;
  let wake: () => void = () => undefined;
  const woken = new Promise<void>((resolve) => (wake = resolve));
  return {
    stopped: () => stopped,
    stop: () => {
      if (stopped) return;
      stopped = true;
      onStop();
      wake();
    },
    sleep: async (ms: number) => {
      if (ms <= 0) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([new Promise((r) => (timer = setTimeout(r, ms))), woken]);
      clearTimeout(timer);
    },
    until: async (p) => {
      await Promise.race([p, woken]);
    },
  };
}

/**
 * One transport's batches in issue order, each due `k * interval` after `startTime`; so
 * the same seed gives the same ids, payloads and poison. Undefined once all are issued or
 * the run stopped.
 */
function batchSource(
  o: ResolvedOptions,
  transport: TransportName,
  stat: TransportProgress,
  signal: StopSignal,
  startTime: number,
): () => Batch | undefined {
  const rng = o.random.fork(`load/${transport}`);
  const pad = randomPad(rng, o.payloadBytes);
  const intervalMs = (1000 * o.batchSize) / o.ratePerSec;
  const gate = o.sequential ? keyGate() : undefined;
  let nextSeq = 0;
  let k = 0;
  return () => {
    if (signal.stopped() || nextSeq >= o.messages) return undefined;
    const events: ClientEvent[] = [];
    const poison: string[] = [];
    const size = Math.min(o.batchSize, o.messages - nextSeq);
    for (let i = 0; i < size; i++) {
      const seq = nextSeq++;
      const id = `${o.seed}-${transport}-${seq}`;
      const isPoison = o.poisonFraction > 0 && rng.chance(o.poisonFraction);
      if (isPoison) poison.push(id);
      const payload: Record<string, unknown> = {
        seq,
        data: pad.slice(0, rng.int(0, pad.length)),
      };
      if (isPoison) payload.poison = true;
      const key = o.keys === undefined ? {} : { key: `key-${seq % o.keys}` };
      events.push({ id, type: o.eventType, ...key, payload });
    }
    stat.remaining = o.messages - nextSeq;
    const batch: Batch = { events, poison, due: startTime + k++ * intervalMs };
    return gate ? gate(batch) : batch;
  };
}

/**
 * Chains each batch behind the previous batch of each of its keys: taken in issue order,
 * so one key's events go out one request after another, each after the last completed.
 */
function keyGate(): (batch: Batch) => Batch {
  const last = new Map<string, Promise<void>>();
  return (batch) => {
    const keys = [...new Set(batch.events.map((e) => e.key as string))];
    const after = Promise.all(keys.flatMap((key) => last.get(key) ?? []));
    let done: () => void = () => undefined;
    const completed = new Promise<void>((resolve) => (done = resolve));
    for (const key of keys) last.set(key, completed);
    return { ...batch, after, done };
  };
}

/** One random pad per transport: payload bytes cost nothing to generate per event. */
function randomPad(rng: Random, bytes: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let pad = '';
  for (let i = 0; i < bytes; i++) pad += alphabet[rng.int(0, alphabet.length - 1)];
  return pad;
}

/**
 * One client process slot: takes the next due batch, records invoke and completion, and
 * counts the outcome, until nothing is left or the run stops.
 */
async function runSlot(ctx: SlotContext, firstProcess: number): Promise<void> {
  const { transport, stat, signal, history, clock } = ctx;
  let proc = firstProcess;
  for (let batch = ctx.nextBatch(); batch; batch = ctx.nextBatch()) {
    await signal.sleep(batch.due - clock.now().time);
    if (batch.after) await signal.until(batch.after);
    if (signal.stopped()) {
      // Claimed but never sent: it was never attempted, so it is not in the history.
      batch.done?.();
      return;
    }
    const ids = batch.events.map((e) => e.id);
    const keyed = batch.events.every((e) => e.key !== undefined);
    const keys = keyed ? batch.events.map((e) => e.key as string) : [];
    history.append({
      type: 'invoke',
      process: proc,
      transport,
      ids,
      ...(batch.poison.length > 0 ? { poison: batch.poison } : {}),
      ...(keys.length > 0 ? { keys } : {}),
      ...clock.now(),
    });
    stat.sent += ids.length;
    stat.inFlight++;
    const outcome = await ctx.client.send(transport, batch.events);
    batch.done?.();
    stat.inFlight--;
    history.append({ ...outcome, process: proc, transport, ids, ...clock.now() });
    if (outcome.type === 'ok') stat.acked += ids.length;
    else if (outcome.type === 'fail') stat.failed += ids.length;
    else {
      stat.info += ids.length;
      // Jepsen: a process with an indeterminate op is retired; its successor gets a new id.
      proc += ctx.total;
    }
  }
}
