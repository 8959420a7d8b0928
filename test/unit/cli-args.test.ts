import { expect } from 'chai';
import { parseBenchArgs, BenchArgsError } from '../../bench/args.ts';
import { parseRawConsumerArgs } from '../../bench/raw-consumer-args.ts';
import { parseInfraArgs } from '../../harness/cli/infra-args.ts';
import { parseFlags } from '../../lib/cli-flags.ts';
import { ValidationError } from '../../lib/errors.ts';
import { parseWorkersArgs } from '../../workers/cli-args.ts';
import { parsePoolSize } from '../../workers/pool-size.ts';

/** The message of the error `parse` throws; fails when it accepts. */
function thrown(parse: () => unknown, type: new (...args: never[]) => Error): string {
  try {
    parse();
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    return (err as Error).message;
  }
  return expect.fail('accepted');
}

describe('CLI flags (node:util parseArgs)', function () {
  describe('parseFlags', function () {
    const specs = {
      name: { type: 'string' },
      on: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    } as const;
    it('reads --x v, --x=v, booleans, -h and positionals, skipping a bare --', function () {
      const r = parseFlags(['a', '--name', 'v', '--', '--on', 'b', '-h'], specs, {
        positionals: true,
      });
      expect(r).to.deep.equal({
        ok: true,
        values: new Map<string, string | true>([
          ['name', 'v'],
          ['on', true],
          ['help', true],
        ]),
        positionals: ['a', 'b'],
      });
      const inline = parseFlags(['--name=v=w'], specs);
      expect(inline.ok && inline.values.get('name')).to.equal('v=w');
      // An inline value may start with dashes; a separate one may not (a forgotten value).
      const dashes = parseFlags(['--name=--v'], specs);
      expect(dashes.ok && dashes.values.get('name')).to.equal('--v');
    });
    it('names the first problem as typed', function () {
      const problem = (...argv: string[]) => {
        const r = parseFlags(argv, specs);
        return r.ok ? undefined : r.problem;
      };
      expect(problem('--nam=3', '--bogus')).to.deep.equal({ kind: 'unknown', flag: '--nam' });
      expect(problem('-x')).to.deep.equal({ kind: 'unknown', flag: '-x' });
      expect(problem('--name')).to.deep.include({ kind: 'missing-value', flag: '--name' });
      expect(problem('--name', '--on')).to.deep.include({ kind: 'missing-value' });
      expect(problem('--on=1')).to.deep.include({ kind: 'unexpected-value', flag: '--on' });
      expect(problem('stray')).to.deep.equal({ kind: 'positional', value: 'stray' });
      expect(problem('--constructor')).to.deep.equal({ kind: 'unknown', flag: '--constructor' });
    });
  });

  describe('bench', function () {
    it('reads --transports v and --transports=v alike', function () {
      const expected = {
        quick: true,
        json: false,
        transports: ['redis', 'kafka'],
        tracingCost: false,
        cluster: false,
        help: false,
      };
      expect(parseBenchArgs(['--quick', '--transports', 'redis,kafka'])).to.deep.equal(expected);
      expect(parseBenchArgs(['--quick', '--transports=redis,kafka'])).to.deep.equal(expected);
      expect(parseBenchArgs([]).transports).to.deep.equal(['kafka', 'redis', 'bullmq']);
    });
    it('runs only the tracing cost on --tracing-cost', function () {
      expect(parseBenchArgs(['--quick', '--tracing-cost']).tracingCost).to.equal(true);
      expect(parseBenchArgs(['--quick']).tracingCost).to.equal(false);
      expect(thrown(() => parseBenchArgs(['--tracing-cost=1']), BenchArgsError)).to.contain(
        '--tracing-cost',
      );
    });
    it('measures Kafka alone on --cluster, and says why another transport is refused', function () {
      expect(parseBenchArgs(['--cluster'])).to.deep.include({
        cluster: true,
        transports: ['kafka'],
      });
      expect(parseBenchArgs(['--cluster', '--transports', 'kafka']).transports).to.deep.equal([
        'kafka',
      ]);
      expect(
        thrown(() => parseBenchArgs(['--cluster', '--transports', 'kafka,redis']), BenchArgsError),
      ).to.equal(
        '--cluster measures only transports whose raw client waits for replicas too; not redis',
      );
      expect(
        thrown(() => parseBenchArgs(['--cluster', '--tracing-cost']), BenchArgsError),
      ).to.contain('give one of them');
    });
    it('helps on -h and --help', function () {
      expect(parseBenchArgs(['-h']).help).to.equal(true);
      expect(parseBenchArgs(['--help']).help).to.equal(true);
    });
    it('names an unknown flag, a missing value and a bad transport', function () {
      expect(thrown(() => parseBenchArgs(['--quik']), BenchArgsError)).to.equal(
        'unknown argument --quik',
      );
      expect(thrown(() => parseBenchArgs(['--quick=1']), BenchArgsError)).to.contain('--quick');
      expect(thrown(() => parseBenchArgs(['extra']), BenchArgsError)).to.contain('extra');
      expect(thrown(() => parseBenchArgs(['--transports']), BenchArgsError)).to.equal(
        '--transports needs a value',
      );
      expect(thrown(() => parseBenchArgs(['--transports', '--json']), BenchArgsError)).to.equal(
        '--transports needs a value',
      );
      expect(thrown(() => parseBenchArgs(['--transports=nats']), BenchArgsError)).to.contain(
        '"nats"',
      );
    });
  });

  describe('bench raw consumer', function () {
    it('reads --transport v, --id=v and -h', function () {
      expect(parseRawConsumerArgs(['--transport', 'redis', '--id=raw3'])).to.deep.equal({
        help: false,
        transport: 'redis',
        id: 'raw3',
      });
      expect(parseRawConsumerArgs(['--transport=bullmq'])).to.deep.equal({
        help: false,
        transport: 'bullmq',
        id: 'raw',
      });
      expect(parseRawConsumerArgs(['-h'])).to.deep.equal({ help: true });
    });
    it('names an unknown flag, a missing value and a bad transport', function () {
      const bad = (...argv: string[]) => thrown(() => parseRawConsumerArgs(argv), BenchArgsError);
      expect(bad('--transport', 'redis', '--ids', 'x')).to.contain('--ids');
      expect(bad('--transport', 'redis', '--id')).to.equal('--id needs a value');
      expect(bad('--transport', 'nats')).to.contain('"nats"');
      expect(bad('--id', 'x')).to.contain('--transport');
    });
  });

  describe('workers', function () {
    it('reads --x v and --x=v, -h without other flags', function () {
      expect(parseWorkersArgs(['--transport', 'bullmq', '--size', '2'])).to.deep.equal({
        help: false,
        transport: 'bullmq',
        size: 2,
      });
      expect(parseWorkersArgs(['--size=2', '--transport=bullmq'])).to.deep.equal({
        help: false,
        transport: 'bullmq',
        size: 2,
      });
      expect(parseWorkersArgs(['--transport=redis'])).to.deep.include({ size: 1 });
      expect(parseWorkersArgs(['-h'])).to.deep.equal({ help: true });
      expect(parseWorkersArgs(['--help', '--size', 'x'])).to.deep.equal({ help: true });
    });
    it('names an unknown flag and a missing value', function () {
      const bad = (...argv: string[]) => thrown(() => parseWorkersArgs(argv), ValidationError);
      expect(bad('--transport', 'redis', '--sise=2')).to.equal('unknown argument "--sise"');
      expect(bad('--transport', 'redis', '--size')).to.equal('--size needs a value');
      expect(bad('--transport', '--size', '2')).to.equal('--transport needs a value');
      expect(bad('redis')).to.contain('"redis"');
    });
    it('takes --size in decimal digits only, 0 to 256', function () {
      const bad = (size: string) =>
        thrown(() => parseWorkersArgs(['--transport', 'redis', `--size=${size}`]), ValidationError);
      for (const size of ['', '0x10', '1e1', '2.0', ' 2', '+2', '257', '-1']) {
        expect(bad(size), size).to.contain('--size').and.contain(`"${size}"`);
      }
      expect(parseWorkersArgs(['--transport', 'redis', '--size', '256'])).to.deep.include({
        size: 256,
      });
    });
  });

  describe('parsePoolSize', function () {
    it('accepts decimal integers from 0 to 256 and nothing else', function () {
      expect(['0', '1', '16', '256', '007'].map(parsePoolSize)).to.deep.equal([0, 1, 16, 256, 7]);
      for (const raw of [null, undefined, '', '0x10', '0b1', '1e1', '1.0', ' 1', '1 ', '+1']) {
        expect(parsePoolSize(raw), String(raw)).to.equal(undefined);
      }
      expect(parsePoolSize('257')).to.equal(undefined);
      expect(parsePoolSize('99999')).to.equal(undefined);
    });
  });

  describe('infra', function () {
    it('reads --check, helps on -h/--help, names an unknown flag', function () {
      expect(parseInfraArgs([])).to.deep.equal({ kind: 'run', check: false });
      expect(parseInfraArgs(['--check'])).to.deep.equal({ kind: 'run', check: true });
      expect(parseInfraArgs(['-h'])).to.deep.include({ kind: 'help' });
      expect(parseInfraArgs(['--help'])).to.deep.include({ kind: 'help' });
      const unknown = parseInfraArgs(['--chek']);
      expect(unknown).to.deep.include({ kind: 'error', exitCode: 2 });
      expect(unknown.kind === 'error' && unknown.message).to.contain('--chek');
      const value = parseInfraArgs(['--check=yes']);
      expect(value.kind === 'error' && value.message).to.contain('--check takes no value');
    });
  });
});
