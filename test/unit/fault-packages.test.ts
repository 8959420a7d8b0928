import { expect } from 'chai';
import type { Toxiproxy } from 'toxiproxy-node-client';
import type { CheckResult } from '../../harness/checker/index.ts';
import { observeSignals } from '../../harness/expectations.ts';
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
};

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
      const problems = validateScenario(
        withSchedule([{ at: 1, fault: loose(spec), ...healAfter }]),
      );
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
});
