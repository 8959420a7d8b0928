import { expect } from 'chai';
import { loadConfig } from '../../lib/config.ts';
import type { Toxiproxy } from 'toxiproxy-node-client';
import type { CheckResult } from '../../harness/checker/index.ts';
import { checkExpectations, observeSignals } from '../../harness/expectations.ts';
import { createFaultTimeline } from '../../harness/fault-timeline.ts';
import { createClock, createMemoryHistory, type HistoryEntry } from '../../harness/history.ts';
import type { Infra } from '../../harness/infra/types.ts';
import {
  FAULT_KINDS,
  FAULT_PACKAGES,
  faultPackage,
  validateFault,
  type FaultKind,
  type FaultSpec,
} from '../../harness/nemesis/index.ts';
import { createRandom } from '../../harness/random.ts';
import type { Scenario } from '../../harness/scenario.ts';
import { resolveSchedule } from '../../harness/schedule.ts';
import { validateScenario } from '../../harness/validate-scenario.ts';
import { getScenario } from '../../scenarios/index.ts';

/** Data a scenario might carry that its type forbids (a typo, a JSON file). */
const loose = (spec: Record<string, unknown>) => spec as unknown as FaultSpec;

const P = 'schedule[0].fault';

/** Per kind: a spec with bad fields and every message it must produce. */
const BAD_FIELDS: Record<FaultKind, [Record<string, unknown>, string[]]> = {
  'kill-worker': [{ kind: 'kill-worker', count: 0 }, [`${P}.count: a whole number >= 1`]],
  'pause-worker': [{ kind: 'pause-worker', count: 1.5 }, [`${P}.count: a whole number >= 1`]],
  'kill-pool': [
    { kind: 'kill-pool', count: 2 },
    [`${P}.count: not a field of kill-pool (it takes: none)`],
  ],
  'stop-pool': [
    { kind: 'stop-pool', size: 2 },
    [`${P}.size: not a field of stop-pool (it takes: none)`],
  ],
  'rolling-restart': [
    { kind: 'rolling-restart', intervalMs: -1, interval: 5 },
    [
      `${P}.interval: not a field of rolling-restart (it takes: intervalMs)`,
      `${P}.intervalMs: >= 0`,
    ],
  ],
  'scale-pool': [{ kind: 'scale-pool', size: 0 }, [`${P}.size: a whole number >= 1`]],
  'proxy-down': [{ kind: 'proxy-down', proxy: 'nowhere' }, [`${P}.proxy: unknown proxy "nowhere"`]],
  toxic: [
    {
      kind: 'toxic',
      proxy: 'nowhere',
      type: 'lag',
      stream: 'sideways',
      attributes: { latency: '300' },
      toxicity: 2,
    },
    [
      `${P}.type: unknown toxic "lag"`,
      `${P}.proxy: unknown proxy "nowhere"`,
      `${P}.stream: upstream or downstream`,
      `${P}.toxicity: in [0, 1]`,
      `${P}.attributes.latency: a number`,
    ],
  ],
  'broker-restart': [
    { kind: 'broker-restart', server: 'sink' },
    [`${P}.server: unknown broker "sink"`],
  ],
  'sink-outage': [
    { kind: 'sink-outage', proxy: 'sink' },
    [`${P}.proxy: not a field of sink-outage (it takes: none)`],
  ],
  'kill-leader': [
    { kind: 'kill-leader', node: 2 },
    [`${P}.node: not a field of kill-leader (it takes: none)`],
  ],
  'pause-leader': [
    { kind: 'pause-leader', partition: 1 },
    [`${P}.partition: not a field of pause-leader (it takes: none)`],
  ],
  'kill-controller': [
    { kind: 'kill-controller', node: 1 },
    [`${P}.node: not a field of kill-controller (it takes: none)`],
  ],
  'isolate-node': [{ kind: 'isolate-node', node: 4 }, [`${P}.node: unknown Kafka node "4"`]],
  'kill-redis-primary': [
    { kind: 'kill-redis-primary', server: 'redis' },
    [`${P}.server: not a field of kill-redis-primary (it takes: none)`],
  ],
  'isolate-redis-primary': [
    { kind: 'isolate-redis-primary', proxy: 'redis-peer-1' },
    [`${P}.proxy: not a field of isolate-redis-primary (it takes: none)`],
  ],
  'rolling-broker-restart': [
    { kind: 'rolling-broker-restart', node: 1 },
    [`${P}.node: not a field of rolling-broker-restart (it takes: none)`],
  ],
  'replication-lag': [
    { kind: 'replication-lag', broker: 'sink', latencyMs: 0 },
    [`${P}.broker: unknown broker "sink"`, `${P}.latencyMs: a whole number >= 1`],
  ],
};

/** Today's schedule facts, kind by kind. */
const FACTS: Record<FaultKind, { instant: boolean; hitsPools: boolean }> = {
  'kill-worker': { instant: true, hitsPools: true },
  'pause-worker': { instant: false, hitsPools: true },
  'kill-pool': { instant: false, hitsPools: true },
  'stop-pool': { instant: false, hitsPools: true },
  'rolling-restart': { instant: true, hitsPools: true },
  'scale-pool': { instant: false, hitsPools: true },
  'proxy-down': { instant: false, hitsPools: false },
  toxic: { instant: false, hitsPools: false },
  'broker-restart': { instant: false, hitsPools: false },
  'sink-outage': { instant: false, hitsPools: false },
  'kill-leader': { instant: false, hitsPools: false },
  'pause-leader': { instant: false, hitsPools: false },
  'kill-controller': { instant: false, hitsPools: false },
  'isolate-node': { instant: false, hitsPools: false },
  'kill-redis-primary': { instant: false, hitsPools: false },
  'isolate-redis-primary': { instant: false, hitsPools: false },
  'replication-lag': { instant: false, hitsPools: false },
  'rolling-broker-restart': { instant: false, hitsPools: false },
};

/** The kinds aimed at replicated roles: valid only in a scenario with `infra: 'cluster'`. */
const CLUSTER_KINDS: readonly FaultKind[] = [
  'kill-leader',
  'pause-leader',
  'kill-controller',
  'isolate-node',
  'kill-redis-primary',
  'isolate-redis-primary',
  'replication-lag',
  'rolling-broker-restart',
];

const withSchedule = (schedule: Scenario['schedule'], chaos?: Scenario['chaos']): Scenario => ({
  ...getScenario('smoke')!,
  schedule,
  ...(chaos ? { chaos } : {}),
});

describe('fault packages', () => {
  it('one package per kind, each with its own label', () => {
    expect(FAULT_KINDS).to.have.members(Object.keys(FACTS));
    expect(new Set(FAULT_PACKAGES.map((p) => p.label)).size).to.equal(FAULT_PACKAGES.length);
  });

  for (const kind of Object.keys(BAD_FIELDS) as FaultKind[]) {
    it(`${kind}: reports its own bad fields, naming the path`, () => {
      const [spec, messages] = BAD_FIELDS[kind];
      expect(validateFault(spec, P)).to.have.members(messages);
      const healAfter = FACTS[kind].instant ? {} : { healAfter: 1 };
      const infra = CLUSTER_KINDS.includes(kind) ? { infra: 'cluster' as const } : {};
      const problems = validateScenario({
        ...withSchedule([{ at: 1, fault: loose(spec), ...healAfter }]),
        ...infra,
      });
      expect(problems).to.have.members(messages);
    });

    it(`${kind}: schedule facts`, () => {
      const pkg = faultPackage(loose({ kind }));
      expect({ instant: pkg.instant, hitsPools: pkg.hitsPools }).to.deep.equal(FACTS[kind]);
    });
  }

  it('rejects an unknown kind, naming the valid ones', () => {
    const known = FAULT_KINDS.join(', ');
    const s = withSchedule([{ at: 1, fault: loose({ kind: 'kill-everything' }), healAfter: 1 }], {
      startSec: 1,
      endSec: 5,
      meanIntervalSec: 1,
      healAfterSec: [1, 2],
      faults: [loose({ count: 1 })],
    });
    expect(validateScenario(s)).to.deep.equal([
      `schedule[0].fault.kind: unknown fault "kill-everything"; one of ${known}`,
      `chaos.faults[0].kind: missing; one of ${known}`,
    ]);
    expect(known).to.include('kill-worker').and.include('sink-outage');
  });

  it('asks the package whether a step needs a heal and takes pools', () => {
    const problems = validateScenario(
      withSchedule([
        { at: 1, fault: { kind: 'kill-worker' } },
        { at: 2, fault: { kind: 'stop-pool' } },
        { at: 3, fault: { kind: 'proxy-down', proxy: 'workers' }, healAfter: 1, pools: ['redis'] },
        { at: 4, fault: { kind: 'kill-pool' }, healAfter: 1, pools: ['rabbit' as 'redis'] },
      ]),
    );
    expect(problems).to.deep.equal([
      'schedule[1].healAfter: required for stop-pool',
      'schedule[2].pools: proxy-down does not hit pools',
      'schedule[3].pools: unknown "rabbit"',
    ]);
  });

  it('chaos draws a heal only for windowed kinds and a pool only for pool kinds', () => {
    const chaos = (faults: FaultSpec[]) =>
      resolveSchedule(
        withSchedule([], {
          startSec: 1,
          endSec: 20,
          meanIntervalSec: 2,
          healAfterSec: [1, 2],
          faults,
        }),
        createRandom('facts').fork('faults'),
      );
    const instant = chaos([{ kind: 'kill-worker' }]);
    const windowed = chaos([{ kind: 'sink-outage' }]);
    expect(instant).to.have.length.above(0);
    expect(windowed).to.have.length.above(0);
    for (const step of instant) {
      expect(step.healAfter).to.equal(undefined);
      expect(step.pools).to.have.length(1);
    }
    for (const step of windowed) {
      expect(step.healAfter).to.be.within(1, 2);
      expect(step.pools).to.equal(undefined);
    }
  });

  it('counts kills by asking the package of each start entry', () => {
    const start = (fault: string, detail?: Record<string, unknown>): HistoryEntry => ({
      type: 'fault',
      phase: 'start',
      fault,
      time: 0,
      wall: 0,
      ...(detail ? { detail } : {}),
    });
    const history = [
      start('kill-worker', { count: 2 }),
      start('kill-pool'),
      start('pause-worker', { count: 3 }),
      start('rolling-restart'),
      start('something-old'),
      { ...start('kill-worker', { count: 5 }), phase: 'heal' as const },
    ];
    const result = { perTransport: {}, recovery: [] } as unknown as CheckResult;
    expect(observeSignals(history, result).kills).to.equal(3);
  });

  it('the timeline starts and heals through the package, writing its label', async () => {
    const updates: string[] = [];
    const toxiproxy = {
      get: (name: string) =>
        Promise.resolve({
          listen: 'l',
          upstream: 'u',
          update: (o: { enabled: boolean }) => void updates.push(`${name}=${o.enabled}`),
        }),
    } as unknown as Toxiproxy;
    const history = createMemoryHistory();
    const ctx = {
      infra: {} as Infra,
      toxiproxy,
      pools: new Map(),
      transports: ['redis'] as const,
      random: createRandom('t'),
      config: loadConfig({}),
    };
    const timeline = createFaultTimeline(ctx, history, createClock());
    await timeline.run([{ at: 0, fault: { kind: 'sink-outage' }, healAfter: 0.01 }], 0);
    expect(updates).to.deep.equal(['sink-workers=false', 'sink-workers=true']);
    const faults = history.entries.flatMap((e) =>
      e.type === 'fault' ? [`${e.phase} ${e.fault} ${e.target}`] : [],
    );
    expect(faults).to.deep.equal([
      'start sink-outage sink-workers',
      'heal sink-outage sink-workers',
    ]);
  });
  it('role kinds need the cluster topology: on single the infra field is named', () => {
    for (const kind of CLUSTER_KINDS) {
      expect(faultPackage(loose({ kind })).topology, kind).to.equal('cluster');
    }
    const steps: Scenario['schedule'] = [
      { at: 1, fault: { kind: 'kill-leader' }, healAfter: 5 },
      { at: 2, fault: { kind: 'sink-outage' }, healAfter: 1 },
    ];
    const chaos: Scenario['chaos'] = {
      startSec: 1,
      endSec: 5,
      meanIntervalSec: 1,
      healAfterSec: [1, 2],
      faults: [{ kind: 'kill-redis-primary' }],
    };
    expect(validateScenario(withSchedule(steps, chaos))).to.deep.equal([
      "infra: kill-leader (schedule[0].fault) needs infra 'cluster', the scenario's is 'single'",
      "infra: kill-redis-primary (chaos.faults[0]) needs infra 'cluster', the scenario's is 'single'",
    ]);
    expect(validateScenario({ ...withSchedule(steps, chaos), infra: 'cluster' })).to.deep.equal([]);
  });

  it('counts failovers from the heal entries of role faults, and the expectation fails on none', () => {
    const heal = (detail?: Record<string, unknown>): HistoryEntry => ({
      type: 'fault',
      phase: 'heal',
      fault: 'kill-leader',
      time: 0,
      wall: 0,
      ...(detail ? { detail } : {}),
    });
    const result = { perTransport: {}, recovery: [] } as unknown as CheckResult;
    const moved = [
      heal({ node: 2, after: 3, moved: true }),
      heal({ node: 1, after: 1, moved: false }),
      heal(),
    ];
    expect(observeSignals(moved, result).failovers).to.equal(1);
    const none = checkExpectations({ failovers: { min: 1 } }, observeSignals([heal()], result));
    expect(none.failures).to.deep.equal(['failovers 0, expected >= 1']);
  });

  it('the timeline writes what a heal found into the heal entry', async () => {
    const history = createMemoryHistory();
    const ctx = {
      infra: {} as Infra,
      toxiproxy: {} as Toxiproxy,
      pools: new Map(),
      transports: ['kafka'] as const,
      random: createRandom('t'),
      config: loadConfig({}),
    };
    const found = { role: 'leader of events-0', node: 2, after: 3, moved: true };
    const pkg = faultPackage({ kind: 'sink-outage' });
    const original = pkg.start.bind(pkg);
    pkg.start = () => Promise.resolve({ target: 'x', heal: () => Promise.resolve(found) });
    try {
      const timeline = createFaultTimeline(ctx, history, createClock());
      await timeline.run([{ at: 0, fault: { kind: 'sink-outage' }, healAfter: 0.01 }], 0);
    } finally {
      pkg.start = original;
    }
    const healed = history.entries.find((e) => e.type === 'fault' && e.phase === 'heal');
    expect(healed && 'detail' in healed ? healed.detail : undefined).to.deep.equal(found);
  });
});
