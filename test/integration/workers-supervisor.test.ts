import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { endpointsToEnv } from '../../harness/infra/index.ts';
import { useInfra } from '../support/infra.ts';
import { isAlive, waitForExit } from '../support/processes.ts';
import type { WorkerPool } from '../../harness/worker-pool.ts';
import { isolatedEnv, startPool, waitUntil } from './workers-pool.ts';

describe('worker pool supervisor (real processes)', function () {
  this.timeout(60_000);
  const infra = useInfra();
  const pools: WorkerPool[] = [];
  const env = () => ({
    ...endpointsToEnv(infra().endpoints),
    ...isolatedEnv('supervisor'),
    LOG_LEVEL: 'info',
    REDIS_BLOCK_MS: '200',
    RESPAWN_BACKOFF_MIN_MS: '100',
    RESPAWN_BACKOFF_MAX_MS: '1000',
  });
  afterEach(async function () {
    await Promise.all(pools.splice(0).map((p) => p.stop()));
  });

  it('replaces a SIGKILLed worker within the backoff bound', async function () {
    // The victim must have run normally (past its minimum uptime), or it counts as a crash.
    const minUptimeMs = 200;
    const pool = await startPool({
      transport: 'redis',
      size: 2,
      env: { ...env(), WORKER_MIN_UPTIME_MS: String(minUptimeMs) },
    });
    pools.push(pool);
    await waitUntil(
      '2 running',
      async () => (await pool.state()).workers.every((w) => w.state === 'running'),
      20_000,
    );
    const victim = (await pool.state()).workers[1]!;
    await new Promise((r) => setTimeout(r, minUptimeMs + 100));
    process.kill(victim.pid!, 'SIGKILL');
    await waitUntil(
      'a new worker in slot 1',
      async () => {
        const w = (await pool.state()).workers.find((x) => x.workerId === victim.workerId);
        return w?.pid !== null && w?.pid !== victim.pid;
      },
      5_000,
      20,
    );
    // The bound is the policy's decision, read from the supervisor's own log: a worker that
    // lived past WORKER_MIN_UPTIME_MS comes back after RESPAWN_BACKOFF_MIN_MS, no later
    // (the wall time the test sees adds the polling and the machine's load).
    // The state answers before the supervisor's log lines reach the pipe: wait for them.
    const forkedAgain = (l: Record<string, unknown>) =>
      l.msg === 'worker forked' && l.workerId === victim.workerId && l.pid !== victim.pid;
    await waitUntil('the respawn logged', () => pool.logLines().some(forkedAgain), 5_000);
    const lines = pool.logLines();
    const died = lines.find((l) => l.msg === 'worker died; respawning' && l.pid === victim.pid);
    expect(died?.respawnInMs).to.equal(100);
    const forked = lines.filter(forkedAgain);
    expect(forked).to.have.length(1);
    expect(Number(forked[0]?.time) - Number(died?.time)).to.be.at.least(100);
    const state = await pool.state();
    expect(state.totalRestarts).to.equal(1);
    expect(state.workers.find((w) => w.workerId === victim.workerId)?.restarts).to.equal(1);
  });

  it('backs off a worker that crashes at every start (no hot loop) and still stops with 0', async function () {
    const pool = await startPool({
      transport: 'redis',
      size: 1,
      env: env(),
      entry: 'test/fixtures/crash-at-start-pool.ts',
    });
    pools.push(pool);
    await new Promise((r) => setTimeout(r, 4_000));
    const { totalRestarts } = await pool.state();
    // Delays 200, 400, 800, 1000, ... ms: a handful in 4 s, where a hot loop makes dozens.
    expect(totalRestarts).to.be.within(2, 7);
    expect(pool.logLines().some((l) => l.msg === 'worker crash-looping; backing off')).to.equal(
      true,
    );
    expect(await pool.stop()).to.deep.equal({ code: 0, signal: null });
  });

  it('scales up and down through POST /scale; removed workers drain and exit', async function () {
    const pool = await startPool({ transport: 'redis', size: 1, env: env() });
    pools.push(pool);
    const up = await pool.scale(3);
    expect(up.size).to.equal(3);
    await waitUntil(
      '3 running',
      async () => (await pool.state()).workers.filter((w) => w.state === 'running').length === 3,
      20_000,
    );
    const pids = (await pool.state()).workers.map((w) => w.pid!);
    const down = await pool.scale(1);
    expect(down.size).to.equal(1);
    expect(down.workers.map((w) => w.workerId)).to.deep.equal(['0']);
    expect(await waitForExit(pids.slice(1), 5_000)).to.deep.equal([]);
    expect(isAlive(pids[0]!)).to.equal(true);
    const bad = await fetch(`${pool.controlUrl}/scale?size=-1`, { method: 'POST' });
    expect(bad.status).to.equal(400);
  });

  it('POST /scale takes decimal digits only: an empty or hex size is a 400 naming size', async function () {
    const pool = await startPool({ transport: 'redis', size: 1, env: env() });
    pools.push(pool);
    // Number() took '' as 0 (the pool scaled to nothing) and '0x10' as 16.
    for (const query of [
      'size=',
      'size=0x10',
      'size=1e1',
      'size=2.0',
      'size=%202',
      'size=257',
      '',
    ]) {
      const res = await fetch(`${pool.controlUrl}/scale?${query}`, { method: 'POST' });
      expect(res.status, query).to.equal(400);
      expect(res.headers.get('content-type')).to.equal('application/json');
      const body = (await res.json()) as { error: string; field: string };
      expect(body.field, query).to.equal('size');
      expect(body.error, query).to.match(/^size must be a whole number from 0 to 256/);
    }
    expect((await pool.state()).size).to.equal(1);
  });

  it('SIGTERM stops every worker and exits 0', async function () {
    const pool = await startPool({ transport: 'redis', size: 2, env: env() });
    pools.push(pool);
    await waitUntil(
      '2 running',
      async () => (await pool.state()).workers.every((w) => w.state === 'running'),
      20_000,
    );
    const pids = (await pool.state()).workers.map((w) => w.pid!);
    pool.signal('SIGTERM');
    expect(await pool.exited()).to.deep.equal({ code: 0, signal: null });
    expect(await waitForExit(pids, 2_000)).to.deep.equal([]);
  });

  it('rejects a bad flag with exit code 2, naming the flag', function () {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'workers/main.ts', ...args], {
        encoding: 'utf8',
        timeout: 20_000,
      });
    const badTransport = run('--transport', 'nats', '--size', '2');
    expect(badTransport.status).to.equal(2);
    expect(badTransport.stderr).to.include('--transport');
    const badSize = run('--transport', 'redis', '--size', 'two');
    expect(badSize.status).to.equal(2);
    expect(badSize.stderr).to.include('--size');
    const unknown = run('--transport', 'redis', '--sise', '2');
    expect(unknown.status).to.equal(2);
    expect(unknown.stderr).to.include('--sise');
  });
});
