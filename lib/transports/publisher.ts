import type { Publisher } from './types.ts';

/** Resolves once every publisher is ready; false if `timeoutMs` passed first. */
export async function waitForPublishers(
  publishers: Iterable<Publisher>,
  timeoutMs: number,
  pollMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const list = [...publishers];
  while (!list.every((p) => p.isReady())) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return true;
}
