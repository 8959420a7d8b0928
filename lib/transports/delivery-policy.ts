import { AppError } from '../errors.ts';
import { backoffMs, type Jitter } from '../retry.ts';

/**
 * What a failed delivery says about its event.
 * - `retriable`: the sink or a broker is unreachable or not writable right now (an AppError
 *   with `retriable`); it says nothing about the event, so it never counts towards
 *   dead-lettering.
 * - `counted`: anything else (PermanentHandlerError, a malformed envelope, a handler bug);
 *   the event is dead-lettered once its deliveries reach `maxDeliveries`.
 */
export type FailureClass = 'retriable' | 'counted';

export function classifyFailure(err: unknown): FailureClass {
  return err instanceof AppError && err.retriable ? 'retriable' : 'counted';
}

export interface DeliveryLimits {
  /** Deliveries after which a counted failure dead-letters the event (MAX_DELIVERIES). */
  maxDeliveries: number;
  /** First retry delay, doubling per attempt (WORKER_RETRY_BACKOFF_MS). */
  retryBackoffMs: number;
  /** Longest retry delay; default RETRY_MAX_MS. */
  retryMaxMs?: number;
  /** Default `equal` (see lib/retry.ts). */
  jitter?: Jitter;
  /** Uniform in [0, 1), for repeatable delays; default Math.random. */
  random?: () => number;
}

export interface FailedDelivery {
  failure: FailureClass;
  /**
   * Deliveries of the event so far, this one included (1 on the first): the broker's own
   * count (Redis PEL, BullMQ attemptsStarted) or the durable receipts plus the counted
   * retries in place (Kafka, whose retriable retries in place are not deliveries).
   */
  deliveries: number;
  /** Consecutive failed attempts, which set the backoff; default `deliveries`. */
  attempt?: number;
}

export type DeliveryDecision = { action: 'retry'; afterMs: number } | { action: 'dead-letter' };

/** The longest delay between two attempts at one event. */
export const RETRY_MAX_MS = 5000;

/**
 * The one delivery policy of every consumer: retry (after `afterMs`) or dead-letter. Pure;
 * each consumer keeps only how it retries (in place for Kafka, left pending for XAUTOCLAIM
 * for Redis, moved to delayed for BullMQ) and where its dead letters go.
 */
export function decideDelivery(failed: FailedDelivery, limits: DeliveryLimits): DeliveryDecision {
  if (failed.failure === 'counted' && failed.deliveries >= limits.maxDeliveries) {
    return { action: 'dead-letter' };
  }
  const afterMs = backoffMs(failed.attempt ?? failed.deliveries, {
    baseMs: limits.retryBackoffMs,
    maxMs: limits.retryMaxMs ?? RETRY_MAX_MS,
    jitter: limits.jitter,
    random: limits.random,
  });
  return { action: 'retry', afterMs };
}

/** The limits from the workers' options. */
export function deliveryLimits(workers: {
  maxDeliveries: number;
  retryBackoffMs: number;
}): DeliveryLimits {
  return { maxDeliveries: workers.maxDeliveries, retryBackoffMs: workers.retryBackoffMs };
}
