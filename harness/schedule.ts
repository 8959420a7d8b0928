import { TRANSPORTS, type TransportName } from '../lib/envelope.ts';
import { faultPackage } from './nemesis/index.ts';
import type { Random } from './random.ts';
import type { ChaosSpec, FaultStep, Scenario } from './scenario.ts';

/**
 * The concrete fault timeline of a run: the scenario's fixed steps plus its chaos mix,
 * drawn from `random` (pass `createRandom(seed).fork('faults')`), sorted by time. Pure and
 * deterministic: same scenario and seed, same schedule.
 */
export function resolveSchedule(scenario: Scenario, random: Random): FaultStep[] {
  const transports = scenario.transports ?? TRANSPORTS;
  const steps: FaultStep[] = [...scenario.schedule];
  const chaos = chaosWindow(scenario);
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

/** Seconds the load runs: its count at its rate, or less when `durationSec` cuts it. */
export function loadDurationSec(s: Pick<Scenario, 'load'>): number {
  return Math.min(s.load.messages / s.load.ratePerSec, s.load.durationSec ?? Infinity);
}

/** The chaos spec with the window the load's length gives it (`endBeforeLoadEndSec`). */
export function chaosWindow(s: Pick<Scenario, 'load' | 'chaos'>): ChaosSpec | undefined {
  const c = s.chaos;
  if (c?.endBeforeLoadEndSec === undefined) return c;
  return { ...c, endSec: loadDurationSec(s) - c.endBeforeLoadEndSec };
}

/** When the last fault of a schedule is healed, in seconds after the load starts. */
export function scheduleEnd(steps: readonly FaultStep[]): number {
  return steps.reduce((end, s) => Math.max(end, s.at + (s.healAfter ?? 0)), 0);
}
