import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, errorMessage } from '../../lib/errors.ts';

/**
 * Polls `probe` until it resolves truthy or `timeoutMs` passes. The timeout error names
 * `what` and the last failure, so a server that never comes up says why.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  {
    timeoutMs = 60000,
    intervalMs = 200,
    gaveUp,
  }: {
    timeoutMs?: number;
    intervalMs?: number;
    /** Returns a reason to stop waiting at once (e.g. the process exited). */
    gaveUp?: () => string | undefined;
  } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'not ready';
  while (Date.now() < deadline) {
    const reason = gaveUp?.();
    if (reason !== undefined) throw new AppError('NOT_READY', `${what} did not start: ${reason}`);
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = errorMessage(err);
    }
    await sleep(intervalMs);
  }
  throw new AppError('NOT_READY', `${what} was not ready after ${timeoutMs} ms: ${lastError}`, {
    retriable: true,
  });
}
