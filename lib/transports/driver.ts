import type { Config } from '../config.ts';
import type { EventEnvelope, TransportName } from '../envelope.ts';
import type { ProxyName } from '../links.ts';
import type { Logger } from '../log.ts';
import type { Sink } from '../sink.ts';
import type { MessagingTarget } from '../tracing/messaging-target.ts';
import type {
  Consumer,
  DeadLetter,
  Handler,
  PendingState,
  Publisher,
  WorkerConsumerOptions,
} from './types.ts';

/**
 * Everything that differs between transports, behind one object per transport (one folder
 * each under lib/transports/, listed in registry.ts). The producer, the workers, the
 * harness, the bench and the tests use these verbs and flags and never branch on a name.
 */
export interface TransportDriver {
  readonly name: TransportName;
  readonly features: TransportFeatures;
  /** The Toxiproxy links its clients go through (see harness/infra/types.ts PROXIES). */
  readonly links: { producer: ProxyName; workers: ProxyName };
  /** Its `messaging.system` and destination (topic, stream, queue), for trace spans. */
  messaging(config: Config): MessagingTarget;
  /** Env of the names one run keeps in this broker (topic, stream, queue, groups). */
  isolatedNames(runId: string): Record<string, string>;
  createPublisher(config: Config, options?: { logger?: Logger }): Publisher;
  createConsumer(config: Config, handler: Handler, options: WorkerConsumerOptions): Consumer;
  /** How the broker knows the consumer of supervisor slot `workerId` (client id, consumer name). */
  consumerIdentity(workerId: string): string;
  /** Reads over the direct (never faulted) endpoints, for the harness, bench and tests. */
  inspect(config: Config): TransportInspector;
  /** After a worker's death, another takes its events over within this (configured) time. */
  takeoverBound(config: Config): { boundMs: number; boundFrom: string };
  /** The baselines the bench compares against. */
  readonly raw: RawClients;
  /**
   * Other configurations of this driver that the suites and the bench run too (another
   * client library, say), each selected by its env; the default configuration is not listed.
   */
  readonly variants?: readonly TransportVariant[];
}

/** One alternative configuration of a driver, e.g. `{ name: 'platformatic', env: {...} }`. */
export interface TransportVariant {
  name: string;
  env: Readonly<Record<string, string>>;
}

/** What a transport promises and how it keeps its books (Watermill's `Features`). */
export interface TransportFeatures {
  /** Events with one key are applied in broker order (the checker's order rule). */
  perKeyOrder: boolean;
  /**
   * `native`: the broker counts deliveries (Redis PEL, BullMQ attemptsStarted).
   * `receipts`: it does not (Kafka); the sink counts receipts durably instead.
   */
  deliveryCount: 'native' | 'receipts';
  /** Where dead letters go, for messages and docs. */
  deadLetters: string;
  /**
   * After a graceful stop, exactly the events never handled are pending. False where
   * acknowledgements are batched (Kafka commits lag behind the sink writes).
   */
  exactPendingAfterStop: boolean;
  /**
   * The bench's raw publisher waits for the replicas as the producer does (Kafka acks=all),
   * so the bench's --cluster figure compares like with like. Not for Redis and BullMQ: the
   * raw clients publish without WAIT.
   */
  rawPublishWaitsForReplicas: boolean;
}

export interface TransportInspector {
  /** What the broker still holds unacknowledged. */
  pending(): Promise<PendingState>;
  /** Every dead-lettered event with its error. */
  deadLetters(options?: { timeoutMs?: number; pageSize?: number }): Promise<DeadLetter[]>;
  /**
   * Ids of the events the consumer of `workerId` holds unacknowledged (Kafka: the next event
   * of each partition it owns). Read right after a kill, before another consumer takes over.
   */
  heldBy(workerId: string): Promise<string[]>;
  /** True once `size` consumers are running and settled (Kafka: group stable, all assigned). */
  settled(size: number): Promise<boolean>;
  /** Ids of every event the broker holds (whatever its state), for tests and diagnosis. */
  storedIds(): Promise<Set<string>>;
  /** Deletes what a run left in the broker (its topic, stream or queue, dead letters, group). */
  removeAll(): Promise<void>;
  /**
   * Where each of `ids` (events the client saw accepted that have no effect) is now, by the
   * broker's books; ids it could not place are left out. `seen` says which events a worker
   * is known to have received: applied, or (where the sink counts receipts because the
   * broker counts no deliveries) received. A group delivers in log order, so an entry behind
   * the group's position but older than the first seen one of its partition or stream was
   * skipped by where the group started, never delivered. See `LostClass`.
   */
  locate(ids: readonly string[], seen: (id: string) => boolean): Promise<Map<string, LostClass>>;
}

/**
 * Where a lost event went:
 * - `never-stored`: not in the topic, stream or queue (never written, or removed unread);
 * - `stored-undelivered`: in it, beyond the group's committed offset or last delivered id
 *   (or skipped by the group's start), or a job never started; in no pending list;
 * - `delivered-unapplied`: committed, acknowledged or completed without its effect, or held
 *   in a pending list (a PEL entry, an active job) by a consumer that died with it.
 */
export type LostClass = 'never-stored' | 'stored-undelivered' | 'delivered-unapplied';

/** One durable batch straight on the broker's client, in the producer's wire format. */
export interface RawPublisher {
  publish(events: readonly EventEnvelope[]): Promise<void>;
  close(): Promise<void>;
}

export interface RawConsumer {
  stop(): Promise<void>;
}

export interface RawConsumerOptions {
  config: Config;
  sink: Sink;
  consumerName: string;
}

/** Input of a broker's own load tool (Kafka's ProducerPerformance, redis-benchmark). */
export interface BrokerToolInput {
  config: Config;
  /** Kafka jars, for tools that run on the JVM. */
  kafkaLibsDir: string;
  records: number;
  recordBytes: number;
  connections: number;
  pipeline: number;
  timeoutMs: number;
}

export interface BrokerToolResult {
  name: string;
  eventsPerS: number;
  /** The line the figure was read from, for the record. */
  line: string;
}

export interface RawClients {
  publisher: (config: Config) => Promise<RawPublisher>;
  /**
   * The loop one would write straight on the client: the same sink write before the same
   * ack, bounded by WORKER_CONCURRENCY, and nothing else (no retries, claims, dead letters).
   */
  consumer: (options: RawConsumerOptions) => Promise<RawConsumer>;
  /** The broker's own load tool, as a ceiling; absent where the broker has none. */
  tool?: (input: BrokerToolInput) => Promise<BrokerToolResult>;
}
