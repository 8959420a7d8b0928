import { expect } from 'chai';
import { PermanentHandlerError, NotSentError, ValidationError } from '../../lib/errors.ts';
import { parseSinkValue, SinkUnavailableError } from '../../lib/sink.ts';
import { createLimiter } from '../../lib/transports/limiter.ts';
import { redisErrorCode } from '../../lib/transports/redis-error-code.ts';
import { classifyFailure } from '../../lib/transports/delivery-policy.ts';
import { backoffMs } from '../../lib/retry.ts';
import { parseWorkersArgs } from '../../workers/cli-args.ts';
import { nextRespawn } from '../../workers/respawn-policy.ts';

describe('workers: pure policies', function () {
  describe('nextRespawn', function () {
    const opts = { respawnMinMs: 100, respawnMaxMs: 1000, minUptimeMs: 1000 };
    it('replaces a worker that ran long enough after respawnMinMs and resets the streak', function () {
      expect(nextRespawn(opts, 5000, 3)).to.deep.equal({ delayMs: 100, fastExits: 0 });
    });
    it('doubles the delay for each consecutive fast exit, capped at respawnMaxMs', function () {
      let fastExits = 0;
      const delays: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        const next = nextRespawn(opts, 10, fastExits);
        delays.push(next.delayMs);
        fastExits = next.fastExits;
      }
      expect(delays).to.deep.equal([200, 400, 800, 1000, 1000, 1000]);
    });
    it('never hot-loops, even with a zero minimum', function () {
      expect(nextRespawn({ ...opts, respawnMinMs: 0 }, 0, 0).delayMs).to.be.greaterThan(0);
    });
  });

  describe('parseWorkersArgs', function () {
    it('reads --transport and --size in both spellings', function () {
      expect(parseWorkersArgs(['--transport', 'kafka', '--size', '3'])).to.include({
        transport: 'kafka',
        size: 3,
      });
      expect(parseWorkersArgs(['--transport=redis', '--size=0'])).to.include({
        transport: 'redis',
        size: 0,
      });
    });
    it('names the bad flag', function () {
      const bad = (argv: string[], path: string) => {
        try {
          parseWorkersArgs(argv);
        } catch (err) {
          expect(err).to.be.instanceOf(ValidationError);
          expect((err as ValidationError).path).to.equal(path);
          return;
        }
        expect.fail(`accepted ${argv.join(' ')}`);
      };
      bad(['--transport', 'nats'], '--transport');
      bad(['--size', '2'], '--transport');
      bad(['--transport', 'redis', '--size', '-1'], '--size');
      bad(['--transport', 'redis', '--size'], '--size');
      bad(['--transport', 'redis', '--workers', '2'], '--workers');
    });
  });

  describe('retry policy', function () {
    it('treats retriable AppErrors (sink or broker down) as not counting towards dead-lettering', function () {
      expect(classifyFailure(new SinkUnavailableError('down'))).to.equal('retriable');
      expect(classifyFailure(new NotSentError('down'))).to.equal('retriable');
      expect(classifyFailure(new PermanentHandlerError('poison'))).to.equal('counted');
      expect(classifyFailure(new SyntaxError('bad json'))).to.equal('counted');
    });
    it('backs off exponentially with a cap', function () {
      const opts = { baseMs: 100, maxMs: 1000, jitter: 'none' } as const;
      expect([1, 2, 3, 10].map((n) => backoffMs(n, opts))).to.deep.equal([100, 200, 400, 1000]);
    });
  });

  describe('createLimiter', function () {
    it('never runs more than its concurrency at once', async function () {
      const limit = createLimiter(3);
      let active = 0;
      let peak = 0;
      await Promise.all(
        Array.from({ length: 20 }, () =>
          limit(async () => {
            active += 1;
            peak = Math.max(peak, active);
            await new Promise((r) => setImmediate(r));
            active -= 1;
          }),
        ),
      );
      expect(peak).to.equal(3);
    });
    it('frees the slot when a task throws', async function () {
      const limit = createLimiter(1);
      await limit(() => Promise.reject(new Error('x'))).catch(() => undefined);
      expect(await limit(() => Promise.resolve(7))).to.equal(7);
    });
  });

  it('parseSinkValue reads the compact ledger value', function () {
    expect(parseSinkValue('a', '1700000000000|3|4242|2|1')).to.deep.equal({
      id: 'a',
      firstEffectMs: 1700000000000,
      workerId: '3',
      pid: 4242,
      deliveries: 2,
      effects: 1,
    });
  });

  it('redisErrorCode reads the code of a Redis error reply only', function () {
    const reply = Object.assign(new Error('NOGROUP No such key'), { name: 'ReplyError' });
    expect(redisErrorCode(reply)).to.equal('NOGROUP');
    expect(redisErrorCode(new Error('NOGROUP but not a reply'))).to.equal(undefined);
  });
});
