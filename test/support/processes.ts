import { isAlive } from '../../harness/infra/process-alive.ts';

export { isAlive };

/** Waits up to `timeoutMs` for every pid to be gone; returns the ones still alive. */
export async function waitForExit(pids: readonly number[], timeoutMs = 10000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    alive = alive.filter(isAlive);
  }
  return alive;
}
