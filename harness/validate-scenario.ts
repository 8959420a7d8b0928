import { OPTIONS } from '../lib/config.ts';
import { TRANSPORTS } from '../lib/envelope.ts';
import { ConfigError, errorMessage } from '../lib/errors.ts';
import type { OptionSpec } from '../lib/option-spec.ts';
import { isolatedNames } from '../lib/transports/registry.ts';
import { endpointsToEnv, TOPOLOGIES, type Endpoints } from './infra/types.ts';
import { findFaultPackage, validateFault, type FaultSpec } from './nemesis/index.ts';
import type { ChaosSpec, FaultStep, Scenario } from './scenario.ts';
import { SCENARIO_SHAPE, shapeProblems } from './scenario-shape.ts';
import { chaosWindow, loadDurationSec } from './schedule.ts';

/**
 * Checks a scenario's data before anything starts, whether it was written in TypeScript or
 * read from a file; each problem names the field by its path (`schedule[2].fault.proxy`).
 * First the shape (every field known and of its type: harness/scenario-shape.ts), then what
 * the values mean. What a fault's own fields may hold is its package's business
 * (harness/nemesis/). Also estimates wall time, so the catalogue can be held to CI size.
 */
export function validateScenario(data: unknown): string[] {
  const shape = shapeProblems(data, SCENARIO_SHAPE, '');
  const messages = shape.map((p) => p.message);
  // Checks of meaning read the fields as typed: only once every field has its type.
  if (shape.some((p) => p.kind === 'type')) return messages;
  const s = data as Scenario;
  const out: string[] = [...messages];
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(s.name)) out.push(`name: kebab-case, got "${s.name}"`);
  for (const t of s.transports ?? []) {
    if (!isTransport(t)) out.push(`transports: unknown "${t}"`);
  }
  out.push(...validateLoadAndWorkers(s));
  out.push(...validateEnv(s.workers.env ?? {}, 'workers.env'));
  s.schedule.forEach((step, i) => out.push(...validateStep(step, `schedule[${i}]`)));
  const chaos = chaosWindow(s);
  if (chaos) out.push(...validateChaos(chaos));
  out.push(...validateTopology(s));
  if (s.infra !== undefined && !(TOPOLOGIES as readonly string[]).includes(s.infra)) {
    out.push(`infra: one of ${TOPOLOGIES.join(', ')}, got "${String(s.infra)}"`);
  }
  for (const kind of s.allowsZombies ?? []) {
    if (!findFaultPackage(kind)) out.push(`allowsZombies: unknown fault "${String(kind)}"`);
  }
  for (const key of ['maxUnavailableMs', 'maxRecoveryMs'] as const) {
    const v = s[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0))
      out.push(`${key}: a number of ms > 0`);
  }
  if (s.load.durationSec !== undefined && !(s.load.durationSec > 0))
    out.push('load.durationSec: must be > 0');
  return out;
}

/** Every option variable of lib/config.ts, with its parser. */
function optionSpecs(node: unknown, into = new Map<string, OptionSpec<unknown>>()) {
  if (typeof node !== 'object' || node === null) return into;
  if ('env' in node && 'parse' in node) {
    const spec = node as OptionSpec<unknown>;
    into.set(spec.env, spec);
  } else Object.values(node).forEach((child) => optionSpecs(child, into));
  return into;
}
const OPTION_SPECS = optionSpecs(OPTIONS);

const NO_ENDPOINTS: Endpoints = {
  kafka: { direct: '', producer: '', workers: '' },
  redis: { direct: '', producer: '', workers: '' },
  sink: { direct: '', workers: '' },
  toxiproxy: { url: '' },
};
/** Set by the runner for every run; a scenario setting one would break the run's isolation,
 * its endpoints, or switch failpoints on behind `--failpoints`. */
const SET_BY_HARNESS = new Map<string, string>([
  ...Object.keys(endpointsToEnv(NO_ENDPOINTS)).map((k) => [k, 'the infrastructure'] as const),
  ...Object.keys(isolatedNames('x')).map((k) => [k, 'the run (per-run names)'] as const),
  ['WORK_TIME_MS', 'workers.workTimeMs'],
  ['FAILPOINTS', '--failpoints'],
  ['INFRA_PROVIDER', 'the harness'],
]);

/** `workers.env`: option variables of lib/config.ts only, each with a value its option takes. */
function validateEnv(env: Readonly<Record<string, string>>, path: string): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    const spec = OPTION_SPECS.get(name);
    const owner = SET_BY_HARNESS.get(name);
    if (!spec) {
      const near = closest(name, [...OPTION_SPECS.keys()]);
      out.push(
        `${path}.${name}: not an option variable of lib/config.ts` +
          (near ? ` (did you mean ${near}?)` : " (see the README's configuration table)"),
      );
    } else if (owner !== undefined) {
      out.push(`${path}.${name}: set by the harness for every run (from ${owner})`);
    } else if (value !== '') {
      try {
        spec.parse(value, name);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        out.push(`${path}.${name}: ${errorMessage(err)}`);
      }
    }
  }
  return out;
}

/** The candidate within a few edits of `name` (a typo), if one is. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d <= 3 && (!best || d < best.distance)) best = { name: c, distance: d };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
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
  const { keys, sequential } = s.load;
  if (keys !== undefined && !(Number.isInteger(keys) && keys >= 1))
    out.push('load.keys: a whole number >= 1');
  if (sequential && keys === undefined) out.push('load.sequential: needs load.keys');
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

/** Faults aimed at replicated roles need the topology that has them (`infra: 'cluster'`). */
function validateTopology(s: Scenario): string[] {
  const infra = s.infra ?? 'single';
  const faults = [
    ...s.schedule.map((step, i) => [step.fault, `schedule[${i}].fault`] as const),
    ...(s.chaos?.faults ?? []).map((f, i) => [f, `chaos.faults[${i}]`] as const),
  ];
  return faults.flatMap(([fault, path]) => {
    const needs = findFaultPackage((fault as Partial<FaultSpec> | null)?.kind)?.topology;
    return needs === undefined || needs === infra
      ? []
      : [`infra: ${fault.kind} (${path}) needs infra '${needs}', the scenario's is '${infra}'`];
  });
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
