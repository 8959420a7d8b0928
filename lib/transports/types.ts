import type { EventEnvelope, TransportName } from '../envelope.ts';
import type { Logger } from '../log.ts';
import type { TraceFields } from '../tracing/trace-fields.ts';
import type { BrokerPosition } from './position.ts';

/**
 * The publish side of a transport. `publish` resolves only once the broker durably holds
 * every event of the batch (Kafka acks=-1, XADD returned, BullMQ job added). It rejects with
 * `NotSentError` when nothing was sent (not connected) and `IndeterminateError` when the
 * request went out but no ack came in time.
 */
export interface Publisher {
  readonly transport: TransportName;
  /**
   * `traces`, given only while tracing is on: each event's trace context (same order), which
   * the driver carries in the message. Without it the message format is the untraced one.
   */
  publish(events: readonly EventEnvelope[], traces?: readonly TraceFields[]): Promise<void>;
  /** True while the broker connection is up (for /readyz). */
  isReady(): boolean;
  /** Idempotent: every call returns the same promise. */
  close(): Promise<void>;
}

/** One delivery of an event to a worker. `deliveryCount` starts at 1. */
export interface Delivery {
  event: EventEnvelope;
  deliveryCount: number;
  /** Where the broker holds the event, for the checker's order rules (see position.ts). */
  position?: BrokerPosition;
  /** The trace context the message carried (only messages published with tracing on). */
  trace?: TraceFields;
}

/** Applies the effect. Throw `PermanentHandlerError` for an event that can never succeed. */
export type Handler = (delivery: Delivery) => Promise<void>;

/**
 * The consume side. The transport acknowledges a delivery only after the handler resolved;
 * a handler that keeps failing is dead-lettered after `maxDeliveries` attempts.
 */
export interface Consumer {
  readonly transport: TransportName;
  start(): Promise<void>;
  /** Stop fetching, finish and acknowledge what is in flight, disconnect. Idempotent. */
  drain(): Promise<void>;
}

/** What is still unacknowledged in the broker, for the checker's "nothing pending" rule. */
export interface PendingState {
  transport: TransportName;
  /** Total events not yet acknowledged (lag + in-flight). */
  pending: number;
  /** Breakdown, e.g. `{ lag: 0 }`, `{ pel: 0, undelivered: 0 }`, `{ waiting: 0, active: 0 }`. */
  detail: Record<string, number>;
}

/** A dead-lettered event with the error that put it there. */
export interface DeadLetter {
  id: string;
  error: string;
  deliveries?: number;
}

/** What every consumer is built with, besides the config and the handler. */
export interface WorkerConsumerOptions {
  /** Supervisor slot; names the client and (Redis) the group consumer. */
  workerId: string;
  logger?: Logger;
  /**
   * Durably counts one receipt per id and returns the counts (the sink's `countReceipts`).
   * Kafka keeps no per-message delivery count; without this a redelivery after a crash
   * would look like a first delivery.
   */
  countReceipts?: (ids: readonly string[]) => Promise<number[]>;
}
