import type { TransportName } from '../lib/envelope.ts';
import { driverFor } from '../lib/transports/registry.ts';
import type { Env } from './stack.ts';

/**
 * What one row of the bench measures: a transport in its default configuration, or one of
 * its driver's variants (Kafka on @platformatic/kafka besides kafkajs), selected by `env`.
 */
export interface BenchSubject {
  transport: TransportName;
  /** The variant's name; absent for the driver's default configuration. */
  variant?: string;
  env: Env;
}

/** Every transport's default, then its variants, in transport order. */
export function benchSubjects(transports: readonly TransportName[]): BenchSubject[] {
  return transports.flatMap((transport) => [
    { transport, env: {} },
    ...(driverFor(transport).variants ?? []).map((v) => ({
      transport,
      variant: v.name,
      env: { ...v.env },
    })),
  ]);
}

/** `kafka`, `kafka (platformatic)`: how rows and progress lines name a subject. */
export const subjectLabel = (s: { transport: string; variant?: string }): string =>
  s.variant === undefined ? s.transport : `${s.transport} (${s.variant})`;

/** The subjects that run against one producer process: same env, so same variant. */
export function byEnv(subjects: readonly BenchSubject[]): BenchSubject[][] {
  const groups = new Map<string, BenchSubject[]>();
  for (const s of subjects) {
    const key = JSON.stringify(s.env);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()];
}

/** The `variant` field of a result row, present only for a variant. */
export const variantField = (s: BenchSubject): { variant?: string } =>
  s.variant === undefined ? {} : { variant: s.variant };

/** A log file name for `what` of a subject: `drain-workers-kafka-platformatic`. */
export const logName = (what: string, s: { transport: string; variant?: string }): string =>
  [what, s.transport, ...(s.variant === undefined ? [] : [s.variant])].join('-');
