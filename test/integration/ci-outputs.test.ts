import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { endpointsToEnv } from '../../harness/infra/index.ts';
import { REPO_ROOT } from '../../harness/infra/paths.ts';
import { useInfra } from '../support/infra.ts';

/**
 * What CI systems read: the JUnit file of a scenario run (`--junit`) and of a mocha run
 * (`JUNIT_FILE`), the plain closing line, and `.only` refused under CI.
 */

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface JunitCase {
  name: string;
  classname: string;
  failure?: { message: string; type: string } | { message: string; type: string }[];
  error?: unknown;
}

/** Checks well-formedness and returns the scenario run's testcases. */
function scenarioCases(xml: string): JunitCase[] {
  expect(XMLValidator.validate(xml), xml).to.equal(true);
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'testcase',
  }).parse(xml) as { testsuites: { testsuite: { testcase: JunitCase[]; tests: string } } };
  return doc.testsuites.testsuite.testcase;
}

const failuresOf = (c: JunitCase) => (c.failure === undefined ? [] : [c.failure].flat());

describe('CI outputs: JUnit from scenario runs (real brokers)', function () {
  const infra = useInfra();
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'junit-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  /** `npm run scenario ...` on the shared infrastructure (the external provider). */
  function scenarioCli(args: string[]): Promise<Exit> {
    const env = {
      ...process.env,
      ...endpointsToEnv(infra().endpoints),
      INFRA_PROVIDER: 'external',
    };
    const cli = join(REPO_ROOT, 'harness/cli/scenario.ts');
    return runNode(['--import', 'tsx', cli, ...args, '--out', 'runs/ci-outputs'], env, 170000);
  }

  it('a clean smoke run writes a valid JUnit file: one passing testcase per transport', async function () {
    this.timeout(180000);
    const file = join(dir, 'smoke.xml');
    const run = await scenarioCli([
      'smoke',
      '--messages',
      '100',
      '--seed',
      'junit-smoke',
      '--junit',
      file,
    ]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain(`junit:      ${file}`);
    const cases = scenarioCases(await readFile(file, 'utf8'));
    expect(cases.map((c) => c.name)).to.deep.equal(['kafka', 'redis', 'bullmq']);
    for (const c of cases) {
      expect(c.classname).to.equal('scenario.smoke');
      expect(failuresOf(c), c.name).to.deep.equal([]);
      expect(c.error, c.name).to.equal(undefined);
    }
  });

  it('a run with early-202 on writes failures naming lost', async function () {
    this.timeout(180000);
    const file = join(dir, 'early-202.xml');
    const run = await scenarioCli([
      'smoke',
      '--messages',
      '150',
      '--seed',
      'fp-early-202',
      '--failpoints',
      'early-202',
      '--junit',
      file,
    ]);
    expect(run.code, run.stderr).to.equal(1);
    const cases = scenarioCases(await readFile(file, 'utf8'));
    const failed = cases.filter((c) => failuresOf(c).length > 0);
    expect(failed.length, JSON.stringify(cases)).to.be.greaterThan(0);
    for (const c of failed) {
      expect(
        failuresOf(c).map((f) => f.message),
        c.name,
      ).to.include('lost');
    }
  });
});

describe('CI outputs: mocha under CI', function () {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'mocha-ci-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  /** Mocha with the repository's settings (.mocharc.cjs) on one spec file written here. */
  async function mocha(name: string, spec: string, env: NodeJS.ProcessEnv): Promise<Exit> {
    const file = join(dir, name);
    await writeFile(file, spec);
    const bin = join(REPO_ROOT, 'node_modules/mocha/bin/mocha.js');
    const base = { ...process.env, CI: undefined, JUNIT_FILE: undefined };
    return runNode([bin, file], { ...base, ...env }, 60000);
  }

  const SAMPLE = [
    "describe('sample', function () {",
    "  it('passes', function () {});",
    "  it('fails <here>', function () { throw new Error('broken & said so'); });",
    "  it.skip('is skipped', function () {});",
    '});',
    '',
  ].join('\n');

  it('JUNIT_FILE writes a JUnit file and the plain closing line is still printed', async function () {
    this.timeout(60000);
    const junit = join(dir, 'out', 'mocha.xml');
    const run = await mocha('sample.test.cjs', SAMPLE, { JUNIT_FILE: junit });
    expect(run.code).to.equal(1);
    expect(run.stdout.split('\n')).to.include('1 passed, 1 failed, 1 skipped');
    const xml = await readFile(junit, 'utf8');
    expect(XMLValidator.validate(xml), xml).to.equal(true);
    const suite = (
      new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: '',
        htmlEntities: true, // mocha writes &#x3C; for <
      }).parse(xml) as {
        testsuite: {
          tests: string;
          testcase: { name: string; failure?: unknown; skipped?: unknown }[];
        };
      }
    ).testsuite;
    expect(suite.tests).to.equal('3');
    const byName = new Map(suite.testcase.map((c) => [c.name, c]));
    expect(byName.get('fails <here>')?.failure).to.be.a('string').and.contain('broken & said so');
    expect(byName.get('passes')?.failure).to.equal(undefined);
    expect(byName.get('is skipped')).to.have.property('skipped');
  });

  it('a forgotten .only runs alone locally, and fails the run under CI=true', async function () {
    this.timeout(60000);
    const only =
      "describe('o', function () { it.only('one', function () {}); it('two', function () {}); });\n";
    const local = await mocha('only.test.cjs', only, {});
    expect(local.code, local.stdout).to.equal(0);
    expect(local.stdout.split('\n')).to.include('1 passed, 0 failed, 0 skipped');
    const ci = await mocha('only.test.cjs', only, { CI: 'true' });
    expect(ci.code).to.not.equal(0);
    expect(ci.stdout + ci.stderr).to.match(/\.only|forbid/i);
  });
});
