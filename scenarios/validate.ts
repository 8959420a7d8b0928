import { TRANSPORTS } from '../lib/envelope.ts';
import { PROXIES } from '../harness/infra/types.ts';
import { INSTANT_FAULTS } from '../harness/schedule.ts';
import type { FaultSpec, Scenario } from './types.ts';

/**
 * Checks a scenario's data before anything starts; each problem names the field.
 * Also estimates wall time, so the catalogue can be held to CI size.
 */
const TOXICS = new Set(['latency', 'bandwidth', 'timeout', 'reset_peer', 'slicer', 'limit_data']);
const PROXY_TARGETS = new Set<string>([...PROXIES, 'producer', 'workers', 'sink']);

function validateFault(f: FaultSpec, path: string): string[] {
  const out: string[] = [];
  if (f.kind === 'toxic') {
    if (!TOXICS.has(f.type)) out.push(`${path}.type: unknown toxic "${f.type}"`);
    if (!PROXY_TARGETS.has(f.proxy)) out.push(`${path}.proxy: unknown proxy "${f.proxy}"`);
    if (f.stream !== 'upstream' && f.stream !== 'downstream')
      out.push(`${path}.stream: upstream or downstream`);
    if (f.toxicity !== undefined && !(f.toxicity >= 0 && f.toxicity <= 1))
      out.push(`${path}.toxicity: in [0, 1]`);
  }
  if (f.kind === 'proxy-down' && !PROXY_TARGETS.has(f.proxy)) {
    out.push(`${path}.proxy: unknown proxy "${f.proxy}"`);
  }
  if (f.kind === 'scale-pool' && !(Number.isInteger(f.size) && f.size >= 1)) {
    out.push(`${path}.size: a whole number >= 1`);
  }
  return out;
}

export function validateScenario(s: Scenario): string[] {
  const out: string[] = [];
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(s.name)) out.push(`name: kebab-case, got "${s.name}"`);
  for (const t of s.transports ?? []) {
    if (!(TRANSPORTS as readonly string[]).includes(t)) out.push(`transports: unknown "${t}"`);
  }
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
  s.schedule.forEach((step, i) => {
    const path = `schedule[${i}]`;
    if (!(step.at >= 0)) out.push(`${path}.at: >= 0`);
    if (step.healAfter !== undefined && !(step.healAfter > 0)) out.push(`${path}.healAfter: > 0`);
    if (step.healAfter === undefined && !INSTANT_FAULTS.has(step.fault.kind)) {
      out.push(`${path}.healAfter: required for ${step.fault.kind}`);
    }
    out.push(...validateFault(step.fault, `${path}.fault`));
  });
  if (s.chaos) {
    const c = s.chaos;
    if (!(c.endSec > c.startSec)) out.push('chaos.endSec: after startSec');
    if (!(c.meanIntervalSec > 0)) out.push('chaos.meanIntervalSec: > 0');
    if (!(c.healAfterSec[0] > 0 && c.healAfterSec[1] >= c.healAfterSec[0]))
      out.push('chaos.healAfterSec: 0 < lo <= hi');
    if (c.faults.length === 0) out.push('chaos.faults: at least one');
    c.faults.forEach((f, i) => out.push(...validateFault(f, `chaos.faults[${i}]`)));
  }
  return out;
}

/** Nominal seconds of load and faults (excluding setup and drain). */
export function nominalDurationSec(s: Scenario): number {
  const load = s.load.messages / s.load.ratePerSec;
  const faults = s.schedule.reduce((m, st) => Math.max(m, st.at + (st.healAfter ?? 0)), 0);
  const chaos = s.chaos ? s.chaos.endSec + s.chaos.healAfterSec[1] : 0;
  return Math.max(load, faults, chaos);
}
