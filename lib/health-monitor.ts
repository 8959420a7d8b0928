import { withTimeout } from './with-timeout.ts';

/**
 * Tracks whether a broker is reachable, for /readyz and for failing fast. A periodic
 * `check` (bounded by `timeoutMs`) moves the state both ways; publishers also report what
 * they saw (`markDown` after a connection failure), so requests stop waiting on a dead link
 * at once and resume as soon as a check passes again.
 */
export interface HealthMonitorOptions {
  intervalMs: number;
  timeoutMs: number;
  check: () => Promise<void>;
  /** Called when a check fails or times out (e.g. to reset a wedged connection). */
  onCheckFailed?: (err: unknown) => void;
  onChange?: (ready: boolean, err?: unknown) => void;
}

export interface HealthMonitor {
  isReady(): boolean;
  markUp(): void;
  markDown(err?: unknown): void;
  /** Runs one check now (also used for the first connection). */
  checkNow(): Promise<boolean>;
  stop(): void;
}

class CheckTimeout extends Error {}

export function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  let ready = false;
  let stopped = false;
  let running: Promise<boolean> | undefined;

  const set = (value: boolean, err?: unknown) => {
    if (value === ready) return;
    ready = value;
    options.onChange?.(value, err);
  };

  const checkNow = (): Promise<boolean> => {
    running ??= (async () => {
      try {
        await withTimeout(
          options.check(),
          options.timeoutMs,
          () => new CheckTimeout('check timed out'),
        );
        if (!stopped) set(true);
        return true;
      } catch (err) {
        if (!stopped) {
          set(false, err);
          options.onCheckFailed?.(err);
        }
        return false;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const timer = setInterval(() => void checkNow(), options.intervalMs);
  timer.unref();

  return {
    isReady: () => ready && !stopped,
    markUp: () => set(true),
    markDown: (err) => set(false, err),
    checkNow,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
