import { expect } from 'chai';
import { backoffMs, retry, type Jitter } from '../../lib/retry.ts';
import { createRandom } from '../../harness/random.ts';

describe('retry: one backoff with jitter', function () {
  const base = { baseMs: 100, maxMs: 1000 };
  const exponential = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), 1000);

  it('grows exponentially from baseMs and stops at maxMs (no jitter)', function () {
    const delays = [1, 2, 3, 4, 5, 6, 50, 1e9].map((n) =>
      backoffMs(n, { ...base, jitter: 'none' }),
    );
    expect(delays).to.deep.equal([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  });

  it('takes attempt 0 or less as the first, and another factor', function () {
    expect(backoffMs(0, { ...base, jitter: 'none' })).to.equal(100);
    expect(backoffMs(-3, { ...base, jitter: 'none' })).to.equal(100);
    expect(backoffMs(3, { ...base, factor: 3, jitter: 'none' })).to.equal(900);
  });

  it('keeps each jitter within its range, at both ends of the random source', function () {
    const ranges: Record<Jitter, (e: number) => [number, number]> = {
      none: (e) => [e, e],
      full: (e) => [0, e],
      equal: (e) => [e / 2, e],
    };
    for (const [jitter, range] of Object.entries(ranges) as [Jitter, typeof ranges.none][]) {
      for (let attempt = 1; attempt <= 8; attempt += 1) {
        const [lo, hi] = range(exponential(attempt));
        for (const r of [0, 0.25, 0.5, 0.999999]) {
          const d = backoffMs(attempt, { ...base, jitter, random: () => r });
          expect(d, `${jitter} attempt ${attempt} r ${r}`).to.be.within(lo, hi);
        }
      }
    }
    expect(backoffMs(4, { ...base, jitter: 'full', random: () => 0 })).to.equal(0);
    expect(backoffMs(4, { ...base, jitter: 'equal', random: () => 0 })).to.equal(400);
    expect(backoffMs(4, { ...base, jitter: 'equal', random: () => 0.5 })).to.equal(600);
  });

  it('defaults to equal jitter: never under half the exponential delay', function () {
    for (let i = 0; i < 200; i += 1) expect(backoffMs(3, base)).to.be.within(200, 400);
  });

  it('repeats its delays for the same seed, and differs for another', function () {
    const run = (seed: string) => {
      const rng = createRandom(seed);
      const random = () => rng.next();
      return Array.from({ length: 10 }, (_, i) => backoffMs(i + 1, { ...base, random }));
    };
    expect(run('seed-1')).to.deep.equal(run('seed-1'));
    expect(run('seed-1')).to.not.deep.equal(run('seed-2'));
  });

  it('never returns a negative or non-finite delay', function () {
    expect(backoffMs(1e9, { baseMs: 0, maxMs: 1000 })).to.equal(0);
    expect(backoffMs(5, { baseMs: 100, maxMs: -5, jitter: 'none' })).to.equal(0);
    expect(
      Number.isFinite(backoffMs(1e9, { baseMs: 1, maxMs: Infinity, jitter: 'none' })),
    ).to.equal(true);
  });

  describe('retry()', function () {
    it('retries until fn resolves, telling onRetry each delay', async function () {
      const seen: [number, number][] = [];
      let calls = 0;
      const value = await retry(
        (attempt) => {
          calls += 1;
          return attempt < 3
            ? Promise.reject(new Error(`fail ${attempt}`))
            : Promise.resolve('done');
        },
        { baseMs: 1, maxMs: 4, jitter: 'none', onRetry: (_e, a, d) => seen.push([a, d]) },
      );
      expect(value).to.equal('done');
      expect(calls).to.equal(3);
      expect(seen).to.deep.equal([
        [1, 1],
        [2, 2],
      ]);
    });

    it('throws the last error once its attempts are used up', async function () {
      let calls = 0;
      const failing = () => Promise.reject(new Error(`fail ${(calls += 1)}`));
      const err = await retry(failing, { baseMs: 0, maxMs: 0, attempts: 3 }).catch(
        (e: unknown) => e,
      );
      expect((err as Error).message).to.equal('fail 3');
    });

    it('stops at once when its signal aborts, even during a delay', async function () {
      const stop = new AbortController();
      const started = Date.now();
      setTimeout(() => stop.abort(), 20);
      const err = await retry(() => Promise.reject(new Error('down')), {
        baseMs: 60_000,
        maxMs: 60_000,
        signal: stop.signal,
      }).catch((e: unknown) => e);
      expect((err as Error).message).to.equal('down');
      expect(Date.now() - started).to.be.below(2000);
    });
  });
});
