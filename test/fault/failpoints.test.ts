import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../lib/config.ts';
import type { TransportName } from '../../lib/envelope.ts';
import { ConfigError } from '../../lib/errors.ts';
import { FAILPOINTS, failpoint, type FailpointName } from '../../lib/failpoints.ts';
import type { LostClass } from '../../lib/transports/driver.ts';
import type { AnomalyKind, TransportResult } from '../../harness/checker/index.ts';
import { REPO_ROOT } from '../../harness/infra/paths.ts';
import { runScenario, type RunOutcome } from '../../harness/run-scenario.ts';
import { applyOverrides } from '../../harness/scenario-overrides.ts';
import { formatSummary } from '../../harness/summary-table.ts';
import { getScenario, type Scenario } from '../../scenarios/index.ts';
import { drivers } from '../../lib/transports/registry.ts';
import { BrokerView, post, startProducer } from '../integration/producer-support.ts';
import { CLUSTER_FAILPOINT_CASES } from '../support/cluster-failpoint-cases.ts';
import { useInfra } from '../support/infra.ts';

/**
 * Proves the checker can fail: each failpoint switches on a real bug in the product, and
 * the scenario that should expose it must come back invalid, naming the right anomaly on
 * every transport the bug lives in. Runs are shrunk (fewer messages, only the transports
 * concerned) so the suite stays short; seeds are fixed for replay with
 * `npm run scenario <name> -- --seed <seed> --failpoints <failpoints>` (seeds below).
 */

interface Run {
  scenario: string;
  /** Fixed, and valid for `--seed` (1-32 of letters, digits, . _ -): it also makes the ids. */
  seed: string;
  failpoints: FailpointName[];
  transports: TransportName[];
  messages?: number;
  /** Shorter drain where the bug leaves work pending forever (a correct run drains in seconds). */
  drainSec?: number;
  /** Extra environment of the run (a driver variant's, e.g. KAFKA_CLIENT). */
  env?: Readonly<Record<string, string>>;
}

/** One bug and what the checker must name, per transport (any of `anomalies`). */
interface Expectation {
  failpoint: FailpointName;
  transports: TransportName[];
  anomalies: AnomalyKind[];
  /**
   * Judge only the transports where the fault bit (something was redelivered), and at least
   * one: whether a SIGSTOP finds events in flight is timing, not seed.
   */
  whereRedelivered?: boolean;
  /**
   * Where the brokers say its lost events went (`TransportInspector.locate`): every lost id
   * of each judged transport in one of these classes, none unclassified.
   */
  lostIn?: LostClass[];
}

/** The lost ids of one transport per class, as result.json counts them. */
function lostByClass(
  r: TransportResult<string> | undefined,
): Record<LostClass | 'unclassified', number> {
  return {
    'never-stored': r?.lostNeverStored ?? 0,
    'stored-undelivered': r?.lostStoredUndelivered ?? 0,
    'delivered-unapplied': r?.lostDeliveredUnapplied ?? 0,
    unclassified: r?.lostUnclassified ?? 0,
  };
}

const ALL: TransportName[] = ['kafka', 'redis', 'bullmq'];

function scenarioFor(run: Run): Scenario {
  const base = getScenario(run.scenario);
  if (!base) throw new Error(`no scenario ${run.scenario}`);
  const s = applyOverrides(base, {
    transports: run.transports,
    ...(run.messages !== undefined ? { messages: run.messages } : {}),
    ...(run.env ? { env: run.env } : {}),
  });
  return run.drainSec === undefined
    ? s
    : { ...s, timeouts: { ...s.timeouts, drainSec: run.drainSec } };
}

describe('failpoints: every guarantee the harness checks can be seen to break', function () {
  const infra = useInfra();

  /** Runs a scenario with failpoints on, once, and prints the summary table. */
  function runOnce(run: Run): () => Promise<RunOutcome> {
    let outcome: Promise<RunOutcome> | undefined;
    return () =>
      (outcome ??= runScenario({
        scenario: scenarioFor(run),
        seed: run.seed,
        infra: infra(),
        outDir: 'runs/failpoints',
        failpoints: run.failpoints,
      }).then((o) => {
        const summary = formatSummary(o.result, o.expectations);
        process.stderr.write(`${summary}\n      ${o.wallS.toFixed(1)} s, ${o.runDir}\n`);
        return o;
      }));
  }

  function expectCaught(o: RunOutcome, e: Expectation): void {
    const summary = formatSummary(o.result, o.expectations);
    expect(o.result.valid, summary).to.equal(false);
    expect(o.valid, summary).to.equal(false);
    const bitten = e.whereRedelivered
      ? e.transports.filter((t) => (o.result.perTransport[t]?.redeliveries ?? 0) > 0)
      : e.transports;
    expect(bitten.length, `no transport redelivered anything:\n${summary}`).to.be.greaterThan(0);
    for (const t of bitten) {
      const named = o.result.perTransport[t]?.anomalies ?? [];
      expect(named, `${t} with ${e.failpoint}:\n${summary}`).to.include.oneOf(e.anomalies);
    }
  }

  function expectLostIn(o: RunOutcome, e: Expectation & { lostIn: LostClass[] }): void {
    const summary = formatSummary(o.result, o.expectations);
    let lostSomewhere = 0;
    for (const t of e.transports) {
      const r = o.result.perTransport[t];
      const byClass = lostByClass(r);
      const inExpected = e.lostIn.reduce((n, c) => n + byClass[c], 0);
      const why = `${t} with ${e.failpoint}: ${JSON.stringify(byClass)}\n${summary}`;
      expect(inExpected, why).to.equal(r?.lost ?? 0);
      lostSomewhere += r?.lost ?? 0;
    }
    expect(lostSomewhere, `${e.failpoint} lost nothing to classify:\n${summary}`).to.be.above(0);
  }

  const cases: { run: Run; expect: Expectation[] }[] = [
    {
      // 202 before the ack, every 10th request never published: acknowledged, then lost.
      run: {
        scenario: 'smoke',
        seed: 'fp-early-202',
        failpoints: ['early-202'],
        transports: ALL,
        messages: 150,
      },
      // Never published: the broker has no trace of them.
      expect: [
        { failpoint: 'early-202', transports: ALL, anomalies: ['lost'], lostIn: ['never-stored'] },
      ],
    },
    {
      // Acked before the sink write: a SIGKILLed worker's in-flight events are never redone.
      run: {
        scenario: 'crash-consumer',
        seed: 'fp-ack-before-effect',
        failpoints: ['ack-before-effect'],
        transports: ALL,
        messages: 600,
      },
      // Committed, acknowledged or completed, then the worker died before the sink write.
      expect: [
        {
          failpoint: 'ack-before-effect',
          transports: ALL,
          anomalies: ['lost'],
          lostIn: ['delivered-unapplied'],
        },
      ],
    },
    {
      // Three transport-specific bugs, one per transport, judged each on its own transport.
      run: {
        scenario: 'crash-consumer',
        seed: 'fp-crash-mix',
        failpoints: ['auto-commit', 'no-claim', 'no-stalled-recovery'],
        transports: ALL,
        messages: 600,
        drainSec: 12,
      },
      expect: [
        // Committed when fetched: behind the group's offset, never applied.
        {
          failpoint: 'auto-commit',
          transports: ['kafka'],
          anomalies: ['lost'],
          lostIn: ['delivered-unapplied'],
        },
        // Left in the dead consumer's PEL: delivered (the broker counted it), never applied.
        {
          failpoint: 'no-claim',
          transports: ['redis'],
          anomalies: ['pending', 'lost'],
          lostIn: ['delivered-unapplied'],
        },
        // Active jobs locked by the dead worker, never moved back: delivered, never applied.
        {
          failpoint: 'no-stalled-recovery',
          transports: ['bullmq'],
          anomalies: ['pending', 'lost'],
          lostIn: ['delivered-unapplied'],
        },
      ],
    },
    {
      // A worker paused past the session timeout / claim idle time / lock finishes its events
      // after SIGCONT, when another worker already applied them: each applies the effect.
      run: {
        scenario: 'worker-pause',
        seed: 'fp-non-idempotent-effect',
        failpoints: ['non-idempotent-effect'],
        transports: ALL,
        messages: 600,
      },
      expect: [
        {
          failpoint: 'non-idempotent-effect',
          transports: ALL,
          anomalies: ['double-effect'],
          whereRedelivered: true,
        },
      ],
    },
    {
      // Groups created at the end of the log skip the backlog queued before the pools start.
      run: {
        scenario: 'late-consumers',
        seed: 'fp-group-from-latest',
        failpoints: ['group-from-latest'],
        transports: ['kafka', 'redis'],
        messages: 320,
        // Kafka's group never commits, so its lag stays: do not wait 30 s for it.
        drainSec: 10,
      },
      expect: [
        // In the log before the group's start position: stored, never delivered.
        {
          failpoint: 'group-from-latest',
          transports: ['kafka', 'redis'],
          anomalies: ['lost'],
          lostIn: ['stored-undelivered'],
        },
      ],
    },
    {
      // MAXLEN 50 trims the backlog nobody has read yet.
      run: {
        scenario: 'late-consumers',
        seed: 'fp-trim-stream',
        failpoints: ['trim-stream'],
        transports: ['redis'],
        messages: 320,
      },
      // XTRIM deleted them before any consumer read them: the stream keeps no trace of an
      // entry it trimmed, so by the broker's books they were never stored.
      expect: [
        {
          failpoint: 'trim-stream',
          transports: ['redis'],
          anomalies: ['lost'],
          lostIn: ['never-stored'],
        },
      ],
    },
    {
      // A chunk of a partition handled at once whatever its keys: with jittered work, events
      // of one key in one chunk are applied out of log order (after each kill's backlog).
      run: {
        scenario: 'ordering',
        seed: 'fp-unordered',
        failpoints: ['unordered'],
        transports: ['kafka'],
      },
      expect: [{ failpoint: 'unordered', transports: ['kafka'], anomalies: ['order'] }],
    },
    {
      // Poison acknowledged without a dead letter.
      run: {
        scenario: 'poison-message',
        seed: 'fp-drop-dead-letters',
        failpoints: ['drop-dead-letters'],
        transports: ALL,
        messages: 300,
      },
      expect: [
        { failpoint: 'drop-dead-letters', transports: ALL, anomalies: ['dead-letter-missing'] },
      ],
    },
  ];

  for (const c of cases) {
    describe(`${c.run.scenario} with ${c.run.failpoints.join(', ')}`, function () {
      const outcome = runOnce(c.run);
      for (const e of c.expect) {
        it(`${e.failpoint} (${FAILPOINTS[e.failpoint]}) is caught on ${e.transports.join(', ')} as ${e.anomalies.join(' or ')}`, async function () {
          this.timeout(180000);
          expectCaught(await outcome(), e);
        });
      }
      for (const e of c.expect) {
        const { lostIn } = e;
        if (!lostIn) continue;
        it(`${e.failpoint}: the brokers place its lost events as ${lostIn.join(' or ')}`, async function () {
          this.timeout(180000);
          const o = await outcome();
          const judged = e.whereRedelivered
            ? e.transports.filter((t) => (o.result.perTransport[t]?.redeliveries ?? 0) > 0)
            : e.transports.filter((t) => (o.result.perTransport[t]?.lost ?? 0) > 0);
          expectLostIn(o, { ...e, transports: judged, lostIn });
        });
      }
      if (c.run.failpoints.includes('early-202')) {
        it('the producer warned loudly that the failpoint was on', async function () {
          this.timeout(180000);
          const log = await readFile(join((await outcome()).runDir, 'producer.log'), 'utf8');
          expect(log).to.include('FAILPOINT early-202 IS ON');
        });
      }
    });
  }

  // The failpoints in the Kafka consumer, caught with each variant of the Kafka driver too
  // (@platformatic/kafka), on its transport only.
  const variantCases: {
    run: Omit<Run, 'transports'>;
    failpoint: FailpointName;
    anomalies: AnomalyKind[];
  }[] = [
    {
      run: {
        scenario: 'crash-consumer',
        seed: 'fpv-ack-before-effect',
        failpoints: ['ack-before-effect'],
        messages: 600,
      },
      failpoint: 'ack-before-effect',
      anomalies: ['lost'],
    },
    {
      run: {
        scenario: 'crash-consumer',
        seed: 'fpv-auto-commit',
        failpoints: ['auto-commit'],
        messages: 600,
        drainSec: 12,
      },
      failpoint: 'auto-commit',
      anomalies: ['lost'],
    },
    {
      run: {
        scenario: 'late-consumers',
        seed: 'fpv-group-from-latest',
        failpoints: ['group-from-latest'],
        messages: 320,
        drainSec: 10,
      },
      failpoint: 'group-from-latest',
      anomalies: ['lost'],
    },
    {
      run: {
        scenario: 'poison-message',
        seed: 'fpv-drop-dead-letters',
        failpoints: ['drop-dead-letters'],
        messages: 300,
      },
      failpoint: 'drop-dead-letters',
      anomalies: ['dead-letter-missing'],
    },
  ];
  for (const driver of drivers) {
    for (const variant of driver.variants ?? []) {
      for (const c of variantCases) {
        describe(`${c.run.scenario} with ${c.failpoint} on ${driver.name} (${variant.name})`, function () {
          const run: Run = { ...c.run, transports: [driver.name], env: variant.env };
          const outcome = runOnce(run);
          it(`${c.failpoint} is caught as ${c.anomalies.join(' or ')}`, async function () {
            this.timeout(180000);
            expectCaught(await outcome(), {
              failpoint: c.failpoint,
              transports: [driver.name],
              anomalies: c.anomalies,
            });
          });
        });
      }
    }
  }

  it('covers every failpoint', function () {
    const covered = new Set([
      ...cases.flatMap((c) => c.expect.map((e) => e.failpoint)),
      ...CLUSTER_FAILPOINT_CASES.map((c) => c.failpoint),
    ]);
    expect([...covered].sort()).to.deep.equal(Object.keys(FAILPOINTS).sort());
  });
});

describe('failpoints: switched on only through FAILPOINTS', function () {
  const infra = useInfra();

  function exitOf(script: string, args: string[], env: NodeJS.ProcessEnv) {
    return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, script), ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
  }

  it('an unknown name is a ConfigError naming it and the known ones', function () {
    let caught: unknown;
    try {
      loadConfig({ FAILPOINTS: 'early-202, no-such-bug' });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    const message = (caught as Error).message;
    expect(message).to.include('FAILPOINTS').and.include('"no-such-bug"');
    expect(message).to.include('early-202').and.include('no-stalled-recovery');
    expect(loadConfig({ FAILPOINTS: ' early-202 , no-claim ' }).failpoints).to.deep.equal([
      'early-202',
      'no-claim',
    ]);
  });

  it('the producer and the workers refuse to start with an unknown failpoint (exit 2)', async function () {
    this.timeout(60000);
    const env = { FAILPOINTS: 'no-such-bug' };
    const [producer, workers] = await Promise.all([
      exitOf('producer/main.ts', [], env),
      exitOf('workers/main.ts', ['--transport', 'redis', '--size', '1'], env),
    ]);
    for (const r of [producer, workers]) {
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.include('unknown failpoint "no-such-bug"');
    }
  });

  it('the HTTP API has no switch: a failpoints header, query or body field changes nothing', async function () {
    this.timeout(60000);
    const producer = await startProducer(infra());
    const view = new BrokerView(infra(), producer.config);
    try {
      const ids: string[] = [];
      // early-202 would drop every 10th request: send 10, all must be in the stream.
      for (let i = 0; i < 10; i += 1) {
        const id = `fp-http-${i}`;
        ids.push(id);
        const answer = await post(
          `${producer.url}/v1/events/redis?failpoints=early-202`,
          { id, type: 't', payload: { i }, failpoints: ['early-202'] },
          { failpoints: 'early-202', 'x-failpoints': 'early-202' },
        );
        // The unknown field may be refused; it must never switch anything on.
        expect([202, 400], JSON.stringify(answer.body)).to.include(answer.status);
        if (answer.status === 400) {
          const clean = await post(
            `${producer.url}/v1/events/redis`,
            { id, type: 't', payload: { i } },
            {
              failpoints: 'early-202',
            },
          );
          expect(clean.status).to.equal(202);
        }
      }
      for (const name of Object.keys(FAILPOINTS) as FailpointName[]) {
        expect(failpoint(name), name).to.equal(false);
      }
      const stored = new Set((await view.redisEntries()).map((e) => e.id));
      expect(ids.filter((id) => !stored.has(id))).to.deep.equal([]);
    } finally {
      await view.close();
      await producer.close();
    }
  });
});
