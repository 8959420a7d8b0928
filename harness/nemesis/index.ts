import { ConfigError } from '../../lib/errors.ts';
import { brokerRestart } from './broker-restart.ts';
import { isolateNode } from './isolate-node.ts';
import { isolateRedisPrimary } from './isolate-redis-primary.ts';
import { killController } from './kill-controller.ts';
import { killLeader } from './kill-leader.ts';
import { killRedisPrimary } from './kill-redis-primary.ts';
import { pauseLeader } from './pause-leader.ts';
import { replicationLag } from './replication-lag.ts';
import { killPool } from './kill-pool.ts';
import { killWorker } from './kill-worker.ts';
import { pauseWorker } from './pause-worker.ts';
import { proxyDown } from './proxy-down.ts';
import { rollingBrokerRestart } from './rolling-broker-restart.ts';
import { rollingRestart } from './rolling-restart.ts';
import { scalePool } from './scale-pool.ts';
import { sinkOutage } from './sink-outage.ts';
import { stopPool } from './stop-pool.ts';
import { toxic } from './toxic.ts';
import type { FaultPackage } from './types.ts';

export type { ActiveFault, FaultPackage, HealDetail, NemesisContext } from './types.ts';
export type { ProxyTarget } from './proxy-target.ts';
export type { ToxicType } from './toxic.ts';

/** Every fault kind the harness can inject. A new kind is one file and one line here. */
export const FAULT_PACKAGES = [
  killWorker,
  pauseWorker,
  killPool,
  stopPool,
  rollingRestart,
  scalePool,
  proxyDown,
  toxic,
  brokerRestart,
  sinkOutage,
  killLeader,
  pauseLeader,
  killController,
  isolateNode,
  killRedisPrimary,
  isolateRedisPrimary,
  replicationLag,
  rollingBrokerRestart,
] as const;

type SpecOf<P> = P extends FaultPackage<infer S> ? S : never;

/** A fault as a scenario writes it: the union of the packages' spec types. */
export type FaultSpec = SpecOf<(typeof FAULT_PACKAGES)[number]>;
export type FaultKind = FaultSpec['kind'];

export const FAULT_KINDS: readonly FaultKind[] = FAULT_PACKAGES.map((p) => p.kind);

const BY_KIND = new Map<string, FaultPackage<FaultSpec>>(FAULT_PACKAGES.map((p) => [p.kind, p]));
const BY_LABEL = new Map<string, FaultPackage<FaultSpec>>(FAULT_PACKAGES.map((p) => [p.label, p]));

/** The package of a kind, if there is one (for data not validated yet). */
export function findFaultPackage(kind: unknown): FaultPackage<FaultSpec> | undefined {
  return typeof kind === 'string' ? BY_KIND.get(kind) : undefined;
}

/** The package of a valid spec. */
export function faultPackage(spec: FaultSpec): FaultPackage<FaultSpec> {
  const found = BY_KIND.get(spec.kind);
  // Only data that skipped validateScenario gets here.
  if (!found) throw new ConfigError(validateFault(spec, 'fault').join('; '));
  return found;
}

/** The package whose timeline label a history fault entry carries (undefined if none). */
export function packageByLabel(label: string): FaultPackage<FaultSpec> | undefined {
  return BY_LABEL.get(label);
}

/**
 * Problems with a fault as data: the kind must be known (the message lists the known
 * ones), no field outside the kind's own, and the package's own checks. `path` names
 * the fault in the scenario (`schedule[1].fault`).
 */
export function validateFault(spec: unknown, path: string): string[] {
  if (typeof spec !== 'object' || spec === null) return [`${path}: a fault object with a kind`];
  const kind = (spec as { kind?: unknown }).kind;
  const pkg = findFaultPackage(kind);
  if (!pkg) {
    const got = kind === undefined ? 'missing' : `unknown fault ${JSON.stringify(kind)}`;
    return [`${path}.kind: ${got}; one of ${FAULT_KINDS.join(', ')}`];
  }
  const stray = Object.keys(spec).filter((k) => k !== 'kind' && !pkg.fields.includes(k));
  const takes = pkg.fields.length > 0 ? pkg.fields.join(', ') : 'none';
  return [
    ...stray.map((k) => `${path}.${k}: not a field of ${pkg.kind} (it takes: ${takes})`),
    ...pkg.validate(spec as FaultSpec, path),
  ];
}
