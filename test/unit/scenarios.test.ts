import { expect } from 'chai';
import { createRandom } from '../../harness/random.ts';
import { loadDurationSec, resolveSchedule } from '../../harness/schedule.ts';
import { applyOverrides } from '../../harness/scenario-overrides.ts';
import {
  CLUSTER_SCENARIOS,
  getScenario,
  LONG_SCENARIOS,
  SCENARIO_NAMES,
  SCENARIOS,
} from '../../scenarios/index.ts';
import { nominalDurationSec, validateScenario } from '../../harness/validate-scenario.ts';

const CATALOGUE = [
  'smoke',
  'crash-consumer',
  'consumer-outage',
  'late-consumers',
  'graceful-restart',
  'worker-pause',
  'partition-workers',
  'partition-producer',
  'latency',
  'flaky-network',
  'bandwidth',
  'broker-restart',
  'sink-outage',
  'poison-message',
  'slow-consumer',
  'rebalance-storm',
  'ordering',
  'chaos',
  'broker-failover',
  'redis-failover',
  'leader-pause',
  'controller-failover',
  'leader-isolation',
  'redis-primary-isolation',
  'rolling-broker-restart',
  'soak',
];

describe('scenario catalogue', () => {
  it('has every scenario of the design (and late-consumers, the original demo), once', () => {
    expect([...SCENARIO_NAMES].sort()).to.deep.equal([...CATALOGUE].sort());
  });

  for (const s of [...SCENARIOS, ...CLUSTER_SCENARIOS]) {
    it(`${s.name}: valid data, CI-sized`, () => {
      expect(validateScenario(s)).to.deep.equal([]);
      // Load and faults within ~45 s leave room for setup and drain in a 60 s budget.
      expect(nominalDurationSec(s)).to.be.at.most(45);
      const events = s.load.messages * (s.transports?.length ?? 3);
      expect(events).to.be.within(300, 3000);
      // Every fault is over before the load ends plus a margin, so heals happen under load.
      const schedule = resolveSchedule(s, createRandom('ci').fork('faults'));
      for (const step of schedule) expect(step.at).to.be.below(s.load.messages / s.load.ratePerSec);
    });
  }

  it('the cluster scenarios ask for the cluster, the catalogue for none', () => {
    for (const s of CLUSTER_SCENARIOS) expect(s.infra, s.name).to.equal('cluster');
    for (const s of SCENARIOS) expect(s.infra, s.name).to.equal(undefined);
  });

  it('reports bad data, naming the field', () => {
    const smoke = getScenario('smoke')!;
    const broken = {
      ...smoke,
      name: 'Bad Name',
      schedule: [
        { at: 1, fault: { kind: 'pause-worker' as const } },
        {
          at: 2,
          fault: {
            kind: 'toxic' as const,
            proxy: 'nowhere' as 'workers',
            type: 'latency' as const,
            stream: 'upstream' as const,
            attributes: {},
          },
          healAfter: 1,
        },
      ],
    };
    const problems = validateScenario(broken);
    expect(problems).to.include('name: kebab-case, got "Bad Name"');
    expect(problems).to.include('schedule[0].healAfter: required for pause-worker');
    expect(problems).to.include('schedule[1].fault.proxy: unknown proxy "nowhere"');
    const keyed = validateScenario({
      ...smoke,
      load: { ...smoke.load, keys: 0.5, sequential: true },
      allowsZombies: ['no-such-fault' as 'toxic'],
    });
    expect(keyed).to.include('load.keys: a whole number >= 1');
    expect(keyed).to.include('allowsZombies: unknown fault "no-such-fault"');
    const unkeyed = validateScenario({ ...smoke, load: { ...smoke.load, sequential: true } });
    expect(unkeyed).to.include('load.sequential: needs load.keys');
  });

  it('applies CLI overrides without touching the catalogue', () => {
    const smoke = getScenario('smoke')!;
    const s = applyOverrides(smoke, {
      messages: 10,
      rate: 5,
      transports: ['redis'],
      workers: 4,
      durationSec: 3,
    });
    expect(s.load).to.include({ messages: 10, ratePerSec: 5, durationSec: 3 });
    expect(s.transports).to.deep.equal(['redis']);
    expect(s.workers.size).to.equal(4);
    expect(smoke.load.messages).to.equal(300);
  });
});

describe('soak scenario', () => {
  const soak = getScenario('soak')!;

  it('is valid data, kept out of the CI-sized catalogue', () => {
    expect(validateScenario(soak)).to.deep.equal([]);
    expect(LONG_SCENARIOS).to.include(soak);
    expect(SCENARIOS).not.to.include(soak);
  });

  it('draws faults for the whole load: the chaos window scales with --duration', () => {
    for (const durationSec of [120, 3600]) {
      const s = applyOverrides(soak, { durationSec });
      expect(loadDurationSec(s)).to.equal(durationSec);
      const steps = resolveSchedule(s, createRandom('ci').fork('faults'));
      const last = Math.max(...steps.map((st) => st.at));
      // Until 20 s before the load ends, and not much earlier (a fault every ~15 s).
      expect(last).to.be.below(durationSec - 20);
      expect(last).to.be.above(durationSec - 20 - 60);
      expect(steps.length).to.be.above(durationSec / 15 / 3);
      expect(validateScenario(s)).to.deep.equal([]);
    }
  });

  it('takes its load concurrency from --concurrency', () => {
    expect(applyOverrides(soak, { concurrency: 32 }).load.concurrency).to.equal(32);
  });

  it('reports a duration too short for its chaos window, naming the field', () => {
    expect(validateScenario(applyOverrides(soak, { durationSec: 10 }))).to.deep.equal([
      'chaos.endBeforeLoadEndSec: leaves no window after startSec in a load this short',
    ]);
  });

  it('validates availability limits', () => {
    expect(validateScenario({ ...soak, maxUnavailableMs: 0, maxRecoveryMs: -1 })).to.deep.equal([
      'maxUnavailableMs: a number of ms > 0',
      'maxRecoveryMs: a number of ms > 0',
    ]);
  });
});
