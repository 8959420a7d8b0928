/**
 * `npm run bench -- --quick --json` end to end: runs every measurement small, and must
 * produce every figure as a finite number. It measures on the suite's running
 * infrastructure, handed over as the external provider (INFRA_PROVIDER=external and the
 * endpoint variables), instead of starting a second one beside it. No timing asserts: the
 * machine is shared, so figures are only reported (ratios against raw baselines).
 */
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { TRANSPORTS } from '../../lib/envelope.ts';
import { driverFor, drivers } from '../../lib/transports/registry.ts';
import type { BenchResult } from '../../bench/results.ts';
import { endpointsToEnv, type Infra } from '../../harness/infra/index.ts';
import { useInfra } from '../support/infra.ts';

// The quick bench measures four subjects (both Kafka clients) and waits out fixed-length
// load runs and takeovers, about 100 s before any work; on a CI machine at load 16 the whole
// took over 230 s.
const TIMEOUT_MS = 420_000;

function runQuickBench(
  infra: Infra,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/main.ts', '--quick', '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...endpointsToEnv(infra.endpoints), INFRA_PROVIDER: 'external' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr
      .setEncoding('utf8')
      .on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
    // SIGINT lets the bench stop its infrastructure; its children die with it (pdeathsig).
    const timer = setTimeout(() => child.kill('SIGINT'), TIMEOUT_MS - 10_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Rows of the default configurations; variants (the other Kafka client) are checked apart. */
const defaults = <T extends { variant?: string }>(rows: T[]): T[] =>
  rows.filter((r) => r.variant === undefined);

/** Every driver variant, as `transport (variant)`, once per row kind. */
const VARIANTS = drivers.flatMap((d) => (d.variants ?? []).map((v) => `${d.name} (${v.name})`));
const variantsOf = (rows: { transport?: string; target?: string; variant?: string }[]) =>
  rows
    .filter((r) => r.variant !== undefined)
    .map((r) => `${r.transport ?? r.target} (${r.variant})`);

function expectFinite(label: string, value: unknown): void {
  expect(
    typeof value === 'number' && Number.isFinite(value),
    `${label} = ${String(value)}`,
  ).to.equal(true);
}

describe('npm run bench -- --quick --json', function () {
  this.timeout(TIMEOUT_MS);
  const infra = useInfra();
  let result: BenchResult;

  before(async function () {
    const run = await runQuickBench(infra());
    const last = run.stdout.trim().split('\n').pop() ?? '';
    try {
      result = JSON.parse(last) as BenchResult;
    } catch {
      throw new Error(`no JSON result line (exit ${run.code}); stderr tail:\n${run.stderr}`);
    }
  });

  it('took every measurement without errors', () => {
    expect(result.errors).to.deep.equal([]);
    expect(result.mode).to.equal('quick');
  });

  it('ingest: producer, raw client and ratio per transport; the broker tool for Kafka and Redis', () => {
    expect(defaults(result.ingest).map((i) => i.transport)).to.have.members([...TRANSPORTS]);
    expect(variantsOf(result.ingest)).to.have.members(VARIANTS);
    for (const i of result.ingest) {
      expectFinite(`${i.transport} producer ev/s`, i.producerEventsPerS);
      expectFinite(`${i.transport} raw ev/s`, i.rawEventsPerS);
      expectFinite(`${i.transport} ratio`, i.ratio);
      expect(i.producerFailures, `${i.transport} producer failures`).to.deep.equal({});
      if (driverFor(i.transport).raw.tool)
        expectFinite(`${i.transport} tool ev/s`, i.tool?.eventsPerS);
    }
  });

  it('single-event requests: rate and p50/p99 per transport and for the /livez ceiling', () => {
    expect(defaults(result.single).map((s) => s.target)).to.have.members([...TRANSPORTS, 'livez']);
    expect(variantsOf(result.single)).to.have.members(VARIANTS);
    for (const s of result.single) {
      expectFinite(`${s.target} req/s`, s.requestsPerS);
      expectFinite(`${s.target} p50`, s.p50Ms);
      expectFinite(`${s.target} p99`, s.p99Ms);
    }
  });

  it('drain: workers, raw loop and ratio per transport', () => {
    expect(defaults(result.drain).map((d) => d.transport)).to.have.members([...TRANSPORTS]);
    expect(variantsOf(result.drain)).to.have.members(VARIANTS);
    for (const d of result.drain) {
      for (const [k, v] of Object.entries(d))
        if (k !== 'transport' && k !== 'variant') expectFinite(`${d.transport} ${k}`, v);
    }
  });

  it('recovery: held events and takeover times against the configured bound', () => {
    expect(defaults(result.recovery).map((r) => r.transport)).to.have.members([...TRANSPORTS]);
    expect(variantsOf(result.recovery)).to.have.members(VARIANTS);
    for (const r of result.recovery) {
      expect(r.held, `${r.transport} held`).to.be.greaterThan(0);
      expectFinite(`${r.transport} first`, r.firstRecoveredMs);
      expectFinite(`${r.transport} all`, r.recoveredMs);
      expectFinite(`${r.transport} bound`, r.boundMs);
    }
  });

  it('end-to-end latency at 25% and 75% of capacity per transport', () => {
    for (const t of TRANSPORTS) {
      expect(
        defaults(result.latency)
          .filter((l) => l.transport === t)
          .map((l) => l.fraction),
      ).to.deep.equal([0.25, 0.75]);
    }
    expect(variantsOf(result.latency)).to.have.members(VARIANTS.flatMap((v) => [v, v]));
    for (const l of result.latency) {
      const label = `${l.transport} ${l.fraction}`;
      expect(l.measured, `${label} measured`).to.be.greaterThan(0);
      for (const k of ['targetPerS', 'achievedPerS', 'p50Ms', 'p99Ms'] as const)
        expectFinite(`${label} ${k}`, l[k]);
    }
  });
});
