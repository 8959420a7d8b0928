import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../harness/infra/paths.ts';

/** The suite entry points CI and developers use: each folder alone, and `npm test` all of them. */
describe('test suites', () => {
  const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const globs = (script: string) =>
    [...(scripts[script] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);

  it('has one script per suite folder, and npm test runs every one in one mocha run', () => {
    expect(globs('test:unit')).to.deep.equal(['test/unit/**/*.test.ts']);
    expect(globs('test:integration')).to.deep.equal(['test/integration/**/*.test.ts']);
    expect(globs('test:fault')).to.deep.equal(['test/fault/**/*.test.ts']);
    expect(globs('test:cluster')).to.deep.equal(['test/cluster/**/*.test.ts']);
    // The cluster last: starting it stops the single infrastructure (test/support/infra.ts).
    expect(globs('test')).to.deep.equal([
      ...globs('test:unit'),
      ...globs('test:integration'),
      ...globs('test:fault'),
      ...globs('test:cluster'),
    ]);
  });
});
