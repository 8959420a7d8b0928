import { TRANSPORTS } from '../lib/envelope.ts';
import { findFaultPackage, validateFault, type FaultSpec } from './nemesis/index.ts';
import type { ChaosSpec, FaultStep, Scenario } from './scenario.ts';
import { chaosWindow, loadDurationSec } from './schedule.ts';

/**
 * Checks a scenario's data before anything starts; each problem names the field. What a
 * fault's own fields may hold is its package's business (harness/nemesis/). Also
 * estimates wall time, so the catalogue can be held to CI size.
 */
export function validateScenario(s: Scenario): string[] {
  const out: string[] = [];
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(s.name)) out.push(`name: kebab-case, got "${s.name}"`);
  for (const t of s.transports ?? []) {
    if (!isTransport(t)) out.push(`transports: unknown "${t}"`);
  }
  out.push(...validateLoadAndWorkers(s));
  s.schedule.forEach((step, i) => out.push(...validateStep(step, `schedule[${i}]`)));
  const chaos = chaosWindow(s);
  if (chaos) out.push(...validateChaos(chaos));
  for (const key of ['maxUnavailableMs', 'maxRecoveryMs'] as const) {
    const v = s[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0))
      out.push(`${key}: a number of ms > 0`);
  }
  if (s.load.durationSec !== undefined && !(s.load.durationSec > 0))
    out.push('load.durationSec: must be > 0');
  return out;
}

function validateLoadAndWorkers(s: Scenario): string[] {
  const out: string[] = [];
  const positive = {
    messages: s.load.messages,
    ratePerSec: s.load.ratePerSec,
    concurrency: s.load.concurrency,
    batchSize: s.load.batchSize,
  };
  for (const [k, v] of Object.entries(positive)) if (!(v > 0)) out.push(`load.${k}: must be > 0`);
  const pf = s.load.poisonFraction ?? 0;
  if (!(pf >= 0 && pf <= 1)) out.push('load.poisonFraction: in [0, 1]');
  if (!(Number.isInteger(s.workers.size) && s.workers.size >= 1))
    out.push('workers.size: a whole number >= 1');
  if (!(s.workers.workTimeMs >= 0)) out.push('workers.workTimeMs: >= 0');
  if (s.workers.startAfterSec !== undefined && !(s.workers.startAfterSec >= 0))
    out.push('workers.startAfterSec: >= 0');
  return out;
}

function validateStep(step: FaultStep, path: string): string[] {
  const out: string[] = [];
  if (!(step.at >= 0)) out.push(`${path}.at: >= 0`);
  if (step.healAfter !== undefined && !(step.healAfter > 0)) out.push(`${path}.healAfter: > 0`);
  // The step's facts need a known kind; validateFault reports an unknown one.
  const pkg = findFaultPackage((step.fault as Partial<FaultSpec> | null)?.kind);
  if (pkg && step.healAfter === undefined && !pkg.instant) {
    out.push(`${path}.healAfter: required for ${pkg.kind}`);
  }
  if (pkg && step.pools !== undefined) {
    if (!pkg.hitsPools) out.push(`${path}.pools: ${pkg.kind} does not hit pools`);
    for (const t of step.pools) if (!isTransport(t)) out.push(`${path}.pools: unknown "${t}"`);
  }
  out.push(...validateFault(step.fault, `${path}.fault`));
  return out;
}

function validateChaos(c: ChaosSpec): string[] {
  const out: string[] = [];
  if (!(c.endSec > c.startSec)) {
    out.push(
      c.endBeforeLoadEndSec === undefined
        ? 'chaos.endSec: after startSec'
        : 'chaos.endBeforeLoadEndSec: leaves no window after startSec in a load this short',
    );
  }
  if (!(c.meanIntervalSec > 0)) out.push('chaos.meanIntervalSec: > 0');
  if (!(c.healAfterSec[0] > 0 && c.healAfterSec[1] >= c.healAfterSec[0]))
    out.push('chaos.healAfterSec: 0 < lo <= hi');
  if (c.faults.length === 0) out.push('chaos.faults: at least one');
  c.faults.forEach((f, i) => out.push(...validateFault(f, `chaos.faults[${i}]`)));
  return out;
}

const isTransport = (t: string) => (TRANSPORTS as readonly string[]).includes(t);

/** Nominal seconds of load and faults (excluding setup and drain). */
export function nominalDurationSec(s: Scenario): number {
  const load = loadDurationSec(s);
  const faults = s.schedule.reduce((m, st) => Math.max(m, st.at + (st.healAfter ?? 0)), 0);
  const window = chaosWindow(s);
  const chaos = window ? window.endSec + window.healAfterSec[1] : 0;
  return Math.max(load, faults, chaos);
}
