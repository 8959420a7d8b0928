import { TRANSPORTS, type TransportName } from '../lib/envelope.ts';
import { faultPackage } from './nemesis/index.ts';
import type { Random } from './random.ts';
import type { FaultStep, Scenario } from './scenario.ts';

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
      const facts = faultPackage(fault);
      const step: FaultStep = { at: round(at), fault };
      if (!facts.instant) {
        const [lo, hi] = chaos.healAfterSec;
        step.healAfter = round(random.float(lo, hi));
        activeUntil.push(step.at + step.healAfter);
      } else activeUntil.push(step.at + 1);
      if (facts.hitsPools) step.pools = [random.pick<TransportName>(transports)];
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
