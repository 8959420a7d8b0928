import { AppError } from '../errors.ts';

/**
 * How the consumers treat a failed delivery. A retriable failure (the sink or a broker is
 * unreachable) says nothing about the event, so it never counts towards dead-lettering;
 * any other failure (PermanentHandlerError, a malformed envelope, a handler bug) is counted
 * and dead-letters the event after `maxDeliveries` attempts.
 */
export function isRetriableFailure(err: unknown): boolean {
  return err instanceof AppError && err.retriable;
}

/** Exponential backoff: `baseMs * 2^(attempt-1)`, capped at `maxMs`. `attempt` starts at 1. */
export function backoffDelayMs(baseMs: number, attempt: number, maxMs = 30_000): number {
  const exp = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(baseMs * 2 ** exp, maxMs);
}
