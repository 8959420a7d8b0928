import type { TransportName } from '../lib/envelope.ts';
import type { FaultStep, Scenario } from './scenario.ts';

/**
 * Shrinking a failing seeded run (after QuickCheck and Jepsen's minimisation): replay the
 * same seed with less and keep every reduction under which the run still fails the same
 * way. First the transports that did not fail, then faults (delta debugging over the
 * schedule: drop halves, then quarters, down to single steps), then the load (halved while
 * it still fails). Pure: the runs are the caller's `run`, so a fake runner tests it.
 */
export interface TrialOutcome {
  valid: boolean | 'unknown';
  /** The checker's anomalies (empty when only the expectations failed). */
  anomalies: readonly string[];
  /** Transports whose own verdict was not valid. */
  failing: readonly TransportName[];
}

export interface ShrinkOptions {
  /** The scenario of the failing run, its load and transports as it ran. */
  scenario: Scenario;
  /** The schedule the failing seed resolved to (chaos included). */
  schedule: readonly FaultStep[];
  /** How the failing run failed. */
  original: TrialOutcome;
  /** Runs one candidate with the failing run's seed and failpoints. */
  run: (candidate: Scenario) => Promise<TrialOutcome>;
  /** Most candidate runs (default 24). */
  maxRuns?: number;
  /** The load is not shortened below this many events per transport (default 20). */
  minMessages?: number;
  onTrial?: (trial: {
    run: number;
    candidate: Scenario;
    outcome: TrialOutcome;
    kept: boolean;
  }) => void;
}

export interface ShrinkResult {
  /** The smallest candidate that still failed (the fixed original if none did). */
  scenario: Scenario;
  outcome: TrialOutcome;
  runs: number;
}

/** Fails as the original did: invalid, and sharing an anomaly when the original named any. */
export function failsLike(original: TrialOutcome, candidate: TrialOutcome): boolean {
  if (candidate.valid !== false) return false;
  if (original.anomalies.length === 0) return true;
  return candidate.anomalies.some((a) => original.anomalies.includes(a));
}

/** The run as data with nothing random left: its resolved schedule, no chaos mix. */
export function fixedScenario(scenario: Scenario, schedule: readonly FaultStep[]): Scenario {
  const rest: Scenario = { ...scenario };
  delete rest.chaos;
  const name = scenario.name.endsWith('-shrunk') ? scenario.name : `${scenario.name}-shrunk`;
  return { ...rest, name, schedule: schedule.map((s) => ({ ...s })) };
}

/** The scenario on fewer transports; pool faults aimed only at removed pools go too. */
export function onTransports(s: Scenario, transports: readonly TransportName[]): Scenario {
  const schedule = s.schedule.flatMap((step) => {
    if (!step.pools) return [step];
    const pools = step.pools.filter((p) => transports.includes(p));
    return pools.length > 0 ? [{ ...step, pools }] : [];
  });
  return { ...s, transports: [...transports], schedule };
}

/** The same scenario with a load `factor` as long (count and duration cap alike). */
export function shorterLoad(s: Scenario, factor: number): Scenario {
  const load = { ...s.load, messages: Math.max(1, Math.ceil(s.load.messages * factor)) };
  if (s.load.durationSec !== undefined) load.durationSec = s.load.durationSec * factor;
  return { ...s, load };
}

export async function shrinkFailure(o: ShrinkOptions): Promise<ShrinkResult> {
  const state = {
    best: fixedScenario(o.scenario, o.schedule),
    outcome: o.original,
    runs: 0,
  };
  const maxRuns = o.maxRuns ?? 24;
  /** Runs a candidate if the budget allows; keeps it when it still fails. */
  const attempt = async (candidate: Scenario): Promise<boolean> => {
    if (state.runs >= maxRuns) return false;
    const outcome = await o.run(candidate);
    state.runs += 1;
    const kept = failsLike(o.original, outcome);
    o.onTrial?.({ run: state.runs, candidate, outcome, kept });
    if (kept) Object.assign(state, { best: candidate, outcome });
    return kept;
  };
  await shrinkTransports(state, attempt);
  await shrinkSchedule(state, attempt);
  await shrinkLoad(state, attempt, o.minMessages ?? 20);
  return { scenario: state.best, outcome: state.outcome, runs: state.runs };
}

type Attempt = (candidate: Scenario) => Promise<boolean>;
interface State {
  best: Scenario;
  outcome: TrialOutcome;
}

/** Only the transports that failed, then each of them alone. */
async function shrinkTransports(state: State, attempt: Attempt): Promise<void> {
  const all = state.best.transports ?? [];
  const failing = state.outcome.failing.filter((t) => all.includes(t));
  if (failing.length === 0) return;
  if (failing.length < all.length && !(await attempt(onTransports(state.best, failing)))) return;
  if (failing.length === 1) return;
  for (const t of failing) if (await attempt(onTransports(state.best, [t]))) return;
}

/** Delta debugging over the schedule's steps: remove chunks while the run still fails. */
async function shrinkSchedule(state: State, attempt: Attempt): Promise<void> {
  if (state.best.schedule.length === 0) return;
  if (await attempt({ ...state.best, schedule: [] })) return;
  let chunks = 2;
  while (state.best.schedule.length > 1) {
    const steps = state.best.schedule;
    const size = Math.ceil(steps.length / chunks);
    let removed = false;
    for (let from = 0; from < steps.length && !removed; from += size) {
      const rest = [...steps.slice(0, from), ...steps.slice(from + size)];
      if (rest.length > 0) removed = await attempt({ ...state.best, schedule: rest });
    }
    if (removed) chunks = Math.max(2, chunks - 1);
    else if (size <= 1) return;
    else chunks = Math.min(steps.length, chunks * 2);
  }
}

/** Halves the load while it still fails and stays above `minMessages`. */
async function shrinkLoad(state: State, attempt: Attempt, minMessages: number): Promise<void> {
  while (Math.ceil(state.best.load.messages / 2) >= minMessages) {
    if (!(await attempt(shorterLoad(state.best, 0.5)))) return;
  }
}
