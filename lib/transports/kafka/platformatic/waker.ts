/** Lets a loop sleep until something changed (`wake`) or it must stop (`close`). */
export interface Waker {
  wait(): Promise<void>;
  wake(): void;
  close(): void;
  closed(): boolean;
  /** Resolves once `close` was called. */
  whenClosed: Promise<void>;
}

export function createWaker(): Waker {
  let waiters: (() => void)[] = [];
  let isClosed = false;
  let onClose: () => void = () => undefined;
  const whenClosed = new Promise<void>((resolve) => (onClose = resolve));
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  };
  return {
    wait: () => (isClosed ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
    wake,
    close() {
      isClosed = true;
      onClose();
      wake();
    },
    closed: () => isClosed,
    whenClosed,
  };
}
