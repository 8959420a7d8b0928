import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { check } from '../../harness/checker/index.ts';
import { checkExpectations, observeSignals } from '../../harness/expectations.ts';
import type { HistoryEntry } from '../../harness/history.ts';
import { escapeXml, junitReport, type JunitRun } from '../../harness/junit-report.ts';
import type { Scenario } from '../../harness/scenario.ts';
import type { TransportName } from '../../lib/envelope.ts';
import type { SinkRecord } from '../../lib/sink.ts';

const T0 = 1_000_000_000_000;

/** One acknowledged request per id, on `transport`. */
function acked(transport: TransportName, ids: string[], from: number): HistoryEntry[] {
  return ids.flatMap((id, i) => [
    { type: 'invoke', process: from + i, transport, ids: [id], time: i, wall: T0 + i },
    { type: 'ok', process: from + i, transport, ids: [id], time: i + 1, wall: T0 + i + 1 },
  ]);
}

const row = (id: string, deliveries = 1): SinkRecord => ({
  id,
  firstEffectMs: T0 + 50,
  workerId: 'w1',
  pid: 1,
  deliveries,
  effects: 1,
});

const scenario: Scenario = {
  name: 'unit-run',
  description: 'made up',
  transports: ['kafka', 'redis', 'bullmq'],
  load: { messages: 3, ratePerSec: 1, concurrency: 1, batchSize: 1 },
  workers: { size: 1, workTimeMs: 0 },
  schedule: [],
  expectations: { redeliveries: { min: 1 } },
};

/** kafka loses `k-2` and redelivered nothing; redis is fine and redelivered; bullmq unreadable. */
function run(): JunitRun {
  const history = [
    ...acked('kafka', ['k-1', 'k-2'], 0),
    ...acked('redis', ['r-1', 'r-2'], 10),
    ...acked('bullmq', ['b-1'], 20),
  ];
  const pending = (t: TransportName) => ({ transport: t, pending: 0, detail: {} });
  const result = check({
    history,
    transports: ['kafka', 'redis', 'bullmq'],
    sink: { kafka: [row('k-1')], redis: [row('r-1', 2), row('r-2')], bullmq: null },
    pending: { kafka: pending('kafka'), redis: pending('redis'), bullmq: pending('bullmq') },
    deadLetters: { kafka: [], redis: [], bullmq: [] },
  });
  const expectations = checkExpectations(scenario.expectations, observeSignals(history, result));
  return {
    scenario,
    seed: 'u<1>',
    result,
    expectations,
    wallS: 12.5,
    runDir: 'runs/unit-run-1',
    startedAt: T0,
    replay: 'npm run scenario unit-run -- --seed u<1>',
  };
}

type Case = { name: string; failure?: unknown; error?: unknown };

describe('JUnit report of a scenario run', () => {
  it('is well-formed XML with one testcase per transport', () => {
    const xml = junitReport(run());
    expect(XMLValidator.validate(xml)).to.equal(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuites: { testsuite: Record<string, unknown> & { testcase: Case[] } };
    };
    const suite = doc.testsuites.testsuite;
    expect(suite).to.include({ name: 'scenario unit-run', tests: '3', failures: '1', errors: '1' });
    expect(suite.testcase.map((c) => c.name)).to.deep.equal(['kafka', 'redis', 'bullmq']);
  });

  it('a transport fails with its anomalies and unmet expectations, by name', () => {
    const xml = junitReport(run());
    const kafka = /<testcase [^>]*name="kafka"[^>]*>([\s\S]*?)<\/testcase>/.exec(xml)?.[1] ?? '';
    expect(kafka).to.contain('<failure type="anomaly" message="lost">');
    expect(kafka).to.contain('sample ids: k-2');
    expect(kafka).to.contain(
      '<failure type="fault-expectation" message="kafka: redeliveries 0, expected &gt;= 1">',
    );
    // redis redelivered r-1 and lost nothing: it passes.
    expect(xml).to.match(/<testcase [^>]*name="redis"[^>]*\/>/);
    // bullmq's sink could not be read: an error, not a pass and not a failure.
    const bullmq = /<testcase [^>]*name="bullmq"[^>]*>([\s\S]*?)<\/testcase>/.exec(xml)?.[1] ?? '';
    expect(bullmq).to.contain('<error type="unknown"');
    expect(bullmq).not.to.contain('<failure');
  });

  it('carries the seed and the replay command, escaped', () => {
    const xml = junitReport(run());
    expect(xml).to.contain('<property name="seed" value="u&lt;1&gt;"/>');
    expect(xml).to.contain('--seed u&lt;1&gt;');
    expect(escapeXml('a&b<"c\'>\u0001')).to.equal('a&amp;b&lt;&quot;c&apos;&gt;');
  });
});
