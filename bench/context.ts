import type { Endpoints } from '../harness/infra/index.ts';
import type { BenchPlan } from './plan.ts';
import type { Env } from './stack.ts';

/** What every measurement gets: sizes, where the servers are, where logs go. */
export interface BenchContext {
  plan: BenchPlan;
  endpoints: Endpoints;
  /** Endpoint variables (direct links) for children and the bench's own clients. */
  baseEnv: Env;
  logDir: string;
  /** Kafka's jar folder (for ProducerPerformance). */
  kafkaLibsDir: string;
  payload: { pad: string };
}
