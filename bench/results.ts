import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TransportName } from '../lib/envelope.ts';
import type { BenchPlan } from './plan.ts';

/** Everything one bench run measured. Rates are per second, times in milliseconds. */

export interface IngestResult {
  transport: TransportName;
  /** The driver variant measured (e.g. `platformatic`); absent for the default client. */
  variant?: string;
  events: number;
  /** Through the producer, 100-event batches. */
  producerEventsPerS: number;
  /** Answers other than 202 (by status); must be empty for a valid figure. */
  producerFailures: Record<string, number>;
  /** The broker's client doing the same durable publish. */
  rawEventsPerS: number;
  /** producer / raw client. */
  ratio: number;
  /** The broker's own tool (none for BullMQ). */
  tool: { name: string; eventsPerS: number; line: string } | null;
}

export interface SingleResult {
  /** A transport, or `livez` (the HTTP ceiling: GET /livez on the same server). */
  target: TransportName | 'livez';
  /** The driver variant measured (e.g. `platformatic`); absent for the default client. */
  variant?: string;
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface DrainResult {
  transport: TransportName;
  /** The driver variant measured (e.g. `platformatic`); absent for the default client. */
  variant?: string;
  events: number;
  /** Over the first-to-last sink effect window. */
  workersEventsPerS: number;
  rawEventsPerS: number;
  /** workers / raw loop. */
  ratio: number;
  /** From start of the processes to the last event in the sink (includes start-up). */
  workersWallMs: number;
  rawWallMs: number;
}

export interface RecoveryResult {
  transport: TransportName;
  /** The driver variant measured (e.g. `platformatic`); absent for the default client. */
  variant?: string;
  /** Events the killed worker held (in flight, or the next of its partitions for Kafka). */
  held: number;
  /** Kill to the first held event processed elsewhere. */
  firstRecoveredMs: number;
  /** Kill to the last held event processed elsewhere. */
  recoveredMs: number;
  /** The configured takeover bound for this transport. */
  boundMs: number;
  boundFrom: string;
  /** recoveredMs <= boundMs + 2000. */
  withinTarget: boolean;
}

export interface LatencyResult {
  transport: TransportName;
  /** The driver variant measured (e.g. `platformatic`); absent for the default client. */
  variant?: string;
  /** Fraction of the single-event capacity offered. */
  fraction: number;
  targetPerS: number;
  achievedPerS: number;
  accepted: number;
  /** Accepted events found in the sink (latency is over these). */
  measured: number;
  p50Ms: number;
  p99Ms: number;
}

/** Tracing on (exporting to a receiver in the bench process) against off, same loads. */
export interface TracingCostResult {
  transport: TransportName;
  /** Events per ingest run and per drain run. */
  ingestEvents: number;
  drainEvents: number;
  /** Best of the rounds, through the producer (as INGEST). */
  ingestOffEventsPerS: number;
  ingestOnEventsPerS: number;
  /** 1 - on/off: the share of throughput tracing costs (negative: within noise). */
  ingestCost: number;
  /** Best of the rounds, the worker pool draining a backlog (as DRAIN). */
  drainOffEventsPerS: number;
  drainOnEventsPerS: number;
  drainCost: number;
  /** Spans the receiver got from the runs with tracing on. */
  spansReceived: number;
  rounds: number;
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  mode: BenchPlan['mode'];
  plan: BenchPlan;
  transports: TransportName[];
  machine: { cpus: number; loadAvgAtStart: number[]; node: string };
  infra: { provider: string; topology: 'single' | 'cluster'; versions: Record<string, string> };
  ingest: IngestResult[];
  single: SingleResult[];
  drain: DrainResult[];
  recovery: RecoveryResult[];
  latency: LatencyResult[];
  /** Only with --tracing-cost (which runs that phase alone). */
  tracing?: TracingCostResult[];
  /** One line per measurement that could not be taken. */
  errors: string[];
  /** Things that happened on the way and may colour the figures (e.g. a restarted producer). */
  notes: string[];
  /** Child process logs of this run. */
  logDir: string;
}

/** Writes `<dir>/<timestamp>.json` and returns its path. */
export async function writeResults(dir: string, result: BenchResult): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${result.startedAt.replaceAll(':', '-')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
