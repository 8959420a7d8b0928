import { expect } from 'chai';
import type { TransportName } from '../../lib/envelope.ts';
import { replayCommand } from '../../harness/cli/scenario-repeat.ts';
import { repeatRuns } from '../../harness/repeat.ts';
import type { FaultStep, Scenario } from '../../harness/scenario.ts';
import {
  failsLike,
  fixedScenario,
  shrinkFailure,
  type TrialOutcome,
} from '../../harness/shrink.ts';
import { validateScenario } from '../../harness/validate-scenario.ts';
import { getScenario } from '../../scenarios/index.ts';

const ALL: TransportName[] = ['kafka', 'redis', 'bullmq'];

/** A chaos run's resolved schedule: one kill of a Redis worker hides among other faults. */
const SCHEDULE: FaultStep[] = [
  { at: 3, fault: { kind: 'pause-worker' }, healAfter: 3, pools: ['kafka'] },
  { at: 7, fault: { kind: 'proxy-down', proxy: 'producer' }, healAfter: 2 },
  { at: 10, fault: { kind: 'kill-worker' }, pools: ['bullmq'] },
  { at: 13, fault: { kind: 'kill-worker' }, pools: ['redis'] },
  { at: 16, fault: { kind: 'sink-outage' }, healAfter: 4 },
  { at: 21, fault: { kind: 'rolling-restart', intervalMs: 500 }, pools: ['kafka'] },
];

/**
 * A fake of the no-claim bug: the run loses events (and leaves them pending) iff a Redis
 * worker is killed while at least 100 events per transport are sent.
 */
const BUGGY: TransportName = 'redis';
function fakeNoClaim(s: Scenario): TrialOutcome {
  const transports = s.transports ?? ALL;
  const killsRedis = s.schedule.some(
    (st) => st.fault.kind === 'kill-worker' && (st.pools ?? transports).includes(BUGGY),
  );
  const bites = transports.includes(BUGGY) && killsRedis && s.load.messages >= 100;
  return bites
    ? { valid: false, anomalies: ['lost', 'pending'], failing: ['redis'] }
    : { valid: true, anomalies: [], failing: [] };
}

describe('shrinking a failing run', () => {
  const chaos = {
    ...getScenario('chaos')!,
    transports: ALL,
    load: { ...getScenario('chaos')!.load, messages: 800 },
  };
  const original: TrialOutcome = {
    valid: false,
    anomalies: ['lost', 'pending'],
    failing: ['redis'],
  };

  it('keeps the one fault, the one transport and the shortest load that still fail', async () => {
    const tried: Scenario[] = [];
    const r = await shrinkFailure({
      scenario: chaos,
      schedule: SCHEDULE,
      original,
      run: (candidate) => {
        tried.push(candidate);
        return Promise.resolve(fakeNoClaim(candidate));
      },
    });
    expect(r.scenario.transports).to.deep.equal(['redis']);
    expect(r.scenario.schedule).to.deep.equal([
      { at: 13, fault: { kind: 'kill-worker' }, pools: ['redis'] },
    ]);
    expect(r.scenario.load.messages).to.equal(100);
    expect(r.scenario.chaos).to.equal(undefined);
    expect(r.scenario.name).to.equal('chaos-shrunk');
    expect(r.outcome.valid).to.equal(false);
    expect(r.runs).to.equal(tried.length).and.be.at.most(24);
    // What it prints is scenario data that validates and replays the failure.
    expect(validateScenario(r.scenario)).to.deep.equal([]);
    expect(fakeNoClaim(JSON.parse(JSON.stringify(r.scenario)) as Scenario).valid).to.equal(false);
  });

  it('drops the pool faults aimed only at transports it removed', async () => {
    const r = await shrinkFailure({
      scenario: chaos,
      schedule: SCHEDULE,
      original,
      maxRuns: 1,
      run: (c) => Promise.resolve(fakeNoClaim(c)),
    });
    expect(r.runs).to.equal(1);
    expect(r.scenario.transports).to.deep.equal(['redis']);
    // The kafka pause, the bullmq kill and the kafka rolling restart went with their pools.
    expect(r.scenario.schedule.map((s) => s.at)).to.deep.equal([7, 13, 16]);
  });

  it('stops within its budget and returns the smallest failing run found so far', async () => {
    let runs = 0;
    const r = await shrinkFailure({
      scenario: chaos,
      schedule: SCHEDULE,
      original,
      maxRuns: 3,
      run: (c) => {
        runs += 1;
        return Promise.resolve(fakeNoClaim(c));
      },
    });
    expect(runs).to.equal(3);
    expect(r.runs).to.equal(3);
    expect(fakeNoClaim(r.scenario).valid).to.equal(false);
  });

  it('returns the fixed original when nothing smaller fails', async () => {
    const r = await shrinkFailure({
      scenario: chaos,
      schedule: SCHEDULE,
      original,
      run: () => Promise.resolve({ valid: true, anomalies: [], failing: [] }),
    });
    expect(r.scenario).to.deep.equal(fixedScenario(chaos, SCHEDULE));
    expect(r.scenario.schedule).to.have.length(SCHEDULE.length);
  });

  it('counts a different failure as not the same one', () => {
    const other: TrialOutcome = { valid: false, anomalies: ['double-effect'], failing: ['kafka'] };
    expect(failsLike(original, other)).to.equal(false);
    expect(failsLike(original, { ...other, anomalies: ['pending'] })).to.equal(true);
    expect(failsLike(original, { valid: 'unknown', anomalies: ['lost'], failing: [] })).to.equal(
      false,
    );
    const expectationsOnly: TrialOutcome = { valid: false, anomalies: [], failing: [] };
    expect(failsLike(expectationsOnly, { ...other })).to.equal(true);
  });
});

describe('repeating a scenario', () => {
  it('stops at the first run that is not valid and gives its seed', async () => {
    const seen: string[] = [];
    const r = await repeatRuns({
      times: 5,
      seed: (i) => `s${i}`,
      run: (seed) => {
        seen.push(seed);
        return Promise.resolve({ valid: seed === 's2' ? ('unknown' as const) : true });
      },
    });
    expect(seen).to.deep.equal(['s0', 's1', 's2']);
    expect(r).to.deep.equal({ runs: 3, failed: { seed: 's2', outcome: { valid: 'unknown' } } });
  });

  it('runs all N when every run is valid', async () => {
    const r = await repeatRuns({
      times: 3,
      seed: (i) => `s${i}`,
      run: () => Promise.resolve({ valid: true }),
    });
    expect(r).to.deep.equal({ runs: 3 });
  });

  it('prints a replay command with the flags that shaped the run', () => {
    const cmd = replayCommand(
      {
        scenario: 'chaos',
        outDir: 'runs',
        json: false,
        failpoints: ['no-claim'],
        messages: 300,
        transports: ['redis'],
      },
      'abc',
    );
    expect(cmd).to.equal(
      'npm run scenario chaos -- --seed abc --messages 300 --transports redis --failpoints no-claim',
    );
  });
});
