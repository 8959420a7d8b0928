import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from '@platformatic/kafka';
import { NotSentError, errorMessage } from '../../../errors.ts';
import { withTimeout } from '../../../with-timeout.ts';
import { errorTree, protocolErrorName } from './errors.ts';

/**
 * Obtains a producer id (InitProducerId) for `producer`, retrying while the broker answers
 * with an error (the transaction coordinator is still loading on a fresh broker) and within
 * `timeoutMs`. No record is sent: a failure here proves nothing was written.
 */
export async function initIdempotent(producer: Producer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const left = deadline - Date.now();
    try {
      await withTimeout(
        producer.initIdempotentProducer({}),
        Math.max(left, 1),
        () => new Error(`InitProducerId timed out after ${timeoutMs} ms`),
      );
      return;
    } catch (err) {
      const answered = [...errorTree(err)].some((e) => protocolErrorName(e) !== undefined);
      if (!answered || Date.now() + delay >= deadline) throw err;
      await sleep(delay);
    }
  }
}

/** One idempotent producer at a time, replaced by a fresh one (new producer id) on demand. */
export interface ProducerSlot {
  /** The producer, its producer id obtained; NotSentError when none could be had. */
  get(timeoutMs: number): Promise<Producer>;
  /** Drops the current producer (closed in the background); the next `get` makes a new one. */
  retire(): void;
  close(): Promise<void>;
}

export function createProducerSlot(make: () => Producer): ProducerSlot {
  let current: Producer | undefined;
  let ready: Promise<Producer> | undefined;
  const retire = () => {
    const old = current;
    current = undefined;
    ready = undefined;
    void old?.close().catch(() => undefined);
  };
  return {
    get(timeoutMs) {
      const p = (current ??= make());
      ready ??= initIdempotent(p, timeoutMs).then(
        () => p,
        (err: unknown) => {
          if (current === p) retire();
          throw new NotSentError(`no producer id: ${errorMessage(err)}`, { cause: err });
        },
      );
      return ready;
    },
    retire,
    close: async () => {
      const p = current;
      current = undefined;
      ready = undefined;
      await p?.close();
    },
  };
}
