import { expect } from 'chai';
import { createRandom, type Random } from '../../harness/random.ts';
import {
  createKeyOrderedScheduler,
  type KeyOrderedScheduler,
} from '../../lib/transports/kafka/key-ordered.ts';
import { createSeqHeap } from '../../lib/transports/kafka/seq-heap.ts';

interface Msg {
  offset: number;
  key: string | undefined;
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A fake partition: the handler's calls wait until the test finishes them, in an order the
 * seeded random picks (random durations without a clock), and every invariant is checked
 * at every start and every finish.
 */
class Harness {
  readonly running = new Map<number, { msg: Msg; finish: (done: boolean) => void }>();
  readonly done = new Set<number>();
  readonly started: number[] = [];
  maxInFlight = 0;
  readonly scheduler: KeyOrderedScheduler<Msg>;
  readonly committedSeen: number[] = [];

  constructor(
    readonly messages: readonly Msg[],
    readonly concurrency: number,
    readonly random: Random,
  ) {
    this.scheduler = createKeyOrderedScheduler<Msg>({
      concurrency,
      keyOf: (m) => m.key,
      handle: (m) => this.handle(m),
      onCommittable: (m) => this.committedSeen.push(m.offset),
    });
  }

  handle(msg: Msg): Promise<boolean> {
    for (const r of this.running.values()) {
      if (msg.key !== undefined)
        expect(r.msg.key, `key ${msg.key} twice at once`).to.not.equal(msg.key);
    }
    for (const earlier of this.messages) {
      if (earlier.offset >= msg.offset) break;
      if (earlier.key !== undefined && earlier.key === msg.key) {
        expect(this.done.has(earlier.offset), `${msg.offset} before ${earlier.offset}`).to.equal(
          true,
        );
      }
    }
    this.started.push(msg.offset);
    return new Promise<boolean>((resolve) => {
      this.running.set(msg.offset, { msg, finish: resolve });
      this.maxInFlight = Math.max(this.maxInFlight, this.running.size);
      expect(this.running.size).to.be.at.most(this.concurrency);
    });
  }

  /** Finishes one running call, picked at random; true if there was one. */
  async finishOne(done = true): Promise<boolean> {
    const offsets = [...this.running.keys()];
    if (offsets.length === 0) return false;
    const offset = this.random.pick(offsets);
    const r = this.running.get(offset);
    this.running.delete(offset);
    if (done) this.done.add(offset);
    r?.finish(done);
    await settle();
    this.checkCommitPoint();
    return true;
  }

  checkCommitPoint(): void {
    const c = this.scheduler.committable();
    if (c === undefined) return;
    for (const m of this.messages) {
      if (m.offset > c.offset) break;
      expect(this.done.has(m.offset), `commit point ${c.offset} passes ${m.offset}`).to.equal(true);
    }
  }
}

function randomMessages(random: Random, count: number, keys: number, keyless = 0): Msg[] {
  return Array.from({ length: count }, (_, offset) => ({
    offset,
    key: random.chance(keyless) ? undefined : `k${random.int(0, keys - 1)}`,
  }));
}

describe('key-ordered scheduler: per key in order, keys in parallel, contiguous commits', function () {
  for (const [seed, keys, concurrency] of [
    ['few-keys', 3, 8],
    ['many-keys', 500, 16],
    ['one-key', 1, 4],
    ['mid', 20, 5],
  ] as const) {
    it(`random keys and durations (${seed}: ${keys} keys, concurrency ${concurrency})`, async function () {
      const random = createRandom(`key-ordered-${seed}`);
      const messages = randomMessages(random, 600, keys, 0.05);
      const h = new Harness(messages, concurrency, random);
      // Pushed in random slices, as fetches arrive.
      let next = 0;
      while (next < messages.length || h.running.size > 0) {
        if (next < messages.length && (h.running.size === 0 || random.chance(0.2))) {
          const size = random.int(1, 40);
          h.scheduler.push(messages.slice(next, next + size));
          next += size;
          await settle();
        } else await h.finishOne();
      }
      await h.scheduler.idle();
      expect(h.done.size).to.equal(messages.length);
      expect(h.scheduler.committable()?.offset).to.equal(messages.length - 1);
      expect(h.scheduler.pending()).to.equal(0);
      expect(h.committedSeen).to.deep.equal([...h.committedSeen].sort((a, b) => a - b));
      if (keys >= concurrency) expect(h.maxInFlight).to.equal(concurrency);
    });
  }

  it('runs distinct keys side by side up to the bound, and starts the oldest first', async function () {
    const messages: Msg[] = Array.from({ length: 10 }, (_, i) => ({ offset: i, key: `k${i}` }));
    const h = new Harness(messages, 4, createRandom('bound'));
    h.scheduler.push(messages);
    await settle();
    expect(h.started).to.deep.equal([0, 1, 2, 3]);
    expect(h.scheduler.inFlight()).to.equal(4);
  });

  it('a busy key does not hold up the other keys behind it', async function () {
    const messages: Msg[] = [
      { offset: 0, key: 'hot' },
      { offset: 1, key: 'hot' },
      { offset: 2, key: 'a' },
      { offset: 3, key: 'hot' },
      { offset: 4, key: 'b' },
    ];
    const h = new Harness(messages, 8, createRandom('hot'));
    h.scheduler.push(messages);
    await settle();
    expect(h.started).to.deep.equal([0, 2, 4]);
    // Finishing `a` and `b` leaves the commit point before the unfinished hot 0.
    for (const offset of [2, 4]) {
      h.running.get(offset)?.finish(true);
      h.running.delete(offset);
      h.done.add(offset);
    }
    await settle();
    expect(h.scheduler.committable()).to.equal(undefined);
    h.running.get(0)?.finish(true);
    h.running.delete(0);
    h.done.add(0);
    await settle();
    expect(h.started).to.deep.equal([0, 2, 4, 1]);
    expect(h.scheduler.committable()?.offset).to.equal(0);
  });

  it('stop: starts nothing more, lets in-flight finish, reports the commit point', async function () {
    const random = createRandom('stop');
    const messages = randomMessages(random, 200, 10);
    const h = new Harness(messages, 6, random);
    h.scheduler.push(messages);
    await settle();
    for (let i = 0; i < 30; i += 1) await h.finishOne();
    const startedBefore = h.started.length;
    const inFlight = h.running.size;
    expect(inFlight).to.be.greaterThan(0);
    let stoppedWith: Msg | undefined | 'pending' = 'pending';
    void h.scheduler.stop().then((m) => (stoppedWith = m));
    await settle();
    expect(stoppedWith, 'stop waits for in-flight calls').to.equal('pending');
    while (await h.finishOne());
    await settle();
    expect(h.started.length, 'nothing started after stop').to.equal(startedBefore);
    expect(h.scheduler.stopped()).to.equal(true);
    expect(stoppedWith).to.not.equal('pending');
    const c = stoppedWith as unknown as Msg | undefined;
    expect(c).to.equal(h.scheduler.committable());
    h.checkCommitPoint();
    expect(h.scheduler.pending()).to.equal(messages.length - h.done.size);
  });

  it('a message given up (false) stops the scheduler and keeps the commit point before it', async function () {
    const messages: Msg[] = [
      { offset: 0, key: 'a' },
      { offset: 1, key: 'b' },
      { offset: 2, key: 'a' },
      { offset: 3, key: 'c' },
    ];
    const h = new Harness(messages, 2, createRandom('give-up'));
    h.scheduler.push(messages);
    await settle();
    expect(h.started).to.deep.equal([0, 1]);
    h.running.get(0)?.finish(false);
    h.running.delete(0);
    await settle();
    expect(h.scheduler.stopped()).to.equal(true);
    h.running.get(1)?.finish(true);
    h.running.delete(1);
    h.done.add(1);
    await h.scheduler.idle();
    expect(h.started, 'neither a:2 nor c:3 started').to.deep.equal([0, 1]);
    expect(h.scheduler.committable()).to.equal(undefined);
  });

  it('a handler that rejects stops the scheduler; idle and stop rethrow its error', async function () {
    const s = createKeyOrderedScheduler<Msg>({
      concurrency: 2,
      keyOf: (m) => m.key,
      handle: (m) => (m.offset === 1 ? Promise.reject(new Error('boom')) : Promise.resolve(true)),
    });
    s.push([0, 1, 2, 3].map((offset) => ({ offset, key: 'k' })));
    let caught: unknown;
    await s.idle().catch((err: unknown) => (caught = err));
    expect((caught as Error).message).to.equal('boom');
    expect(s.committable()?.offset).to.equal(0);
    expect(s.stopped()).to.equal(true);
    await s.stop().then(
      () => expect.fail('stop must rethrow'),
      (err: unknown) => expect((err as Error).message).to.equal('boom'),
    );
  });

  it('idle resolves at once when nothing was pushed, and after the last message', async function () {
    const s = createKeyOrderedScheduler<Msg>({
      concurrency: 3,
      keyOf: (m) => m.key,
      handle: () => Promise.resolve(true),
    });
    await s.idle();
    s.push(Array.from({ length: 5000 }, (_, offset) => ({ offset, key: `k${offset % 7}` })));
    await s.idle();
    expect(s.committable()?.offset).to.equal(4999);
    expect(s.pending()).to.equal(0);
  });

  it('rejects a concurrency that is not a positive integer', function () {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() =>
        createKeyOrderedScheduler({
          concurrency,
          keyOf: () => 'k',
          handle: () => Promise.resolve(true),
        }),
      ).to.throw(RangeError);
    }
  });
});

describe('seq heap', function () {
  it('pops in seq order whatever the push order', function () {
    const random = createRandom('heap');
    const heap = createSeqHeap<{ seq: number }>();
    const seqs = random.shuffle(Array.from({ length: 500 }, (_, i) => i));
    for (const seq of seqs.slice(0, 250)) heap.push({ seq });
    const out: number[] = [];
    for (let i = 0; i < 100; i += 1) out.push(heap.pop()?.seq ?? -1);
    for (const seq of seqs.slice(250)) heap.push({ seq });
    for (let item = heap.pop(); item; item = heap.pop()) out.push(item.seq);
    expect(out.slice(0, 100)).to.deep.equal([...out.slice(0, 100)].sort((a, b) => a - b));
    expect(out.slice(100)).to.deep.equal([...out.slice(100)].sort((a, b) => a - b));
    expect(out.length).to.equal(500);
    expect(heap.size).to.equal(0);
    expect(heap.pop()).to.equal(undefined);
  });
});

describe('key-ordered scheduler: stop with nothing in flight', function () {
  it('wakes an idle() that was waiting on queued work', async function () {
    const s = createKeyOrderedScheduler<Msg>({
      concurrency: 1,
      keyOf: (m) => m.key,
      handle: () => Promise.resolve(true),
    });
    await s.stop();
    s.push([{ offset: 0, key: 'k' }]);
    let woke = false;
    const waiting = s.idle().then(() => (woke = true));
    await settle();
    expect(woke, 'stopped before the push: idle at once').to.equal(true);
    await waiting;
  });
});
