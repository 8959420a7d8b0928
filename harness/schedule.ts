import { TRANSPORTS, type TransportName } from '../lib/envelope.ts';
import type { FaultKind, FaultStep, Scenario } from '../scenarios/types.ts';
import type { Random } from './random.ts';

/** Faults that happen at once and have nothing to heal. */
export const INSTANT_FAULTS: ReadonlySet<FaultKind> = new Set(['kill-worker', 'rolling-restart']);

/** Faults aimed at worker pools (they take `FaultStep.pools`). */
export const POOL_FAULTS: ReadonlySet<FaultKind> = new Set([
  'kill-worker',
  'pause-worker',
  'kill-pool',
  'stop-pool',
  'rolling-restart',
  'scale-pool',
]);

/**
 * The concrete fault timeline of a run: the scenario's fixed steps plus its chaos mix,
 * drawn from `random` (pass `createRandom(seed).fork('faults')`), sorted by time. Pure and
 * deterministic: same scenario and seed, same schedule.
 */
export function resolveSchedule(scenario: Scenario, random: Random): FaultStep[] {
  const transports = scenario.transports ?? TRANSPORTS;
  const steps: FaultStep[] = [...scenario.schedule];
  const chaos = scenario.chaos;
  if (chaos && chaos.faults.length > 0) {
    const maxActive = chaos.maxActive ?? 1;
    const activeUntil: number[] = [];
    let at = chaos.startSec;
    for (;;) {
      // Exponential gaps: a Poisson process of faults, like Jepsen's stagger.
      at += -Math.log(1 - random.next()) * chaos.meanIntervalSec;
      const ending = activeUntil.filter((u) => u > at).sort((a, b) => a - b);
      if (ending.length >= maxActive) at = ending[ending.length - maxActive] ?? at;
      if (at >= chaos.endSec) break;
      const fault = random.pick(chaos.faults);
      const step: FaultStep = { at: round(at), fault };
      if (!INSTANT_FAULTS.has(fault.kind)) {
        const [lo, hi] = chaos.healAfterSec;
        step.healAfter = round(random.float(lo, hi));
        activeUntil.push(step.at + step.healAfter);
      } else activeUntil.push(step.at + 1);
      if (POOL_FAULTS.has(fault.kind)) step.pools = [random.pick<TransportName>(transports)];
      steps.push(step);
    }
  }
  return steps.sort((a, b) => a.at - b.at);
}

const round = (s: number) => Math.round(s * 10) / 10;

/** When the last fault of a schedule is healed, in seconds after the load starts. */
export function scheduleEnd(steps: readonly FaultStep[]): number {
  return steps.reduce((end, s) => Math.max(end, s.at + (s.healAfter ?? 0)), 0);
}
