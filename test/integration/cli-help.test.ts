import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { describeOptions } from '../../lib/config.ts';

/** Runs a CLI entry with no configuration at all: help must not need any. */
function run(entry: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', PRODUCER_PORT: 'not-a-port' },
  });
}

describe('producer and workers --help (real processes)', function () {
  this.timeout(60_000);

  for (const [entry, args] of [
    ['producer/main.ts', ['--help']],
    ['workers/main.ts', ['-h']],
  ] as const) {
    it(`${entry} ${args.join(' ')} prints every option with its default and unit`, function () {
      const out = run(entry, ...args);
      expect(out.status, out.stderr).to.equal(0);
      expect(out.stdout).to.match(/^usage: npm run /);
      const lines = out.stdout.split('\n');
      for (const option of describeOptions())
        expect(lines, option.split(' ')[0]).to.include(`  ${option}`);
      expect(out.stdout).to.match(/\n {2}PRODUCER_ACK_TIMEOUT_MS +5000 ms +/);
    });
  }

  it('a configuration error names every bad variable and exits 2', function () {
    const out = spawnSync(process.execPath, ['--import', 'tsx', 'producer/main.ts'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH ?? '', PRODUCER_PORT: 'eighty', LOG_LEVEL: 'loud' },
    });
    expect(out.status).to.equal(2);
    expect(out.stderr).to.contain('2 variables are invalid');
    expect(out.stderr).to.contain('PRODUCER_PORT').and.contain('LOG_LEVEL');
  });

  it('the producer refuses an unknown argument with exit 2', function () {
    const out = run('producer/main.ts', '--prot', '80');
    expect(out.status).to.equal(2);
    expect(out.stderr).to.contain('--prot');
  });
});
