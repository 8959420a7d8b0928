import type { Message, MessagesStream } from '@platformatic/kafka';

export type PlatformaticMessage = Message<Buffer, Buffer, Buffer, Buffer>;
export type PlatformaticStream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

/**
 * Pulls what a MessagesStream has fetched, up to `max` messages at a time, in fetch order.
 * The stream fetches only while someone reads it (a 'readable' listener); `next` resolves
 * with the buffered messages, waiting for the next fetch when none are, and with `null`
 * once the stream has ended or failed (`error()` says why).
 */
export interface BatchReader {
  next(max: number): Promise<PlatformaticMessage[] | null>;
  error(): Error | undefined;
}

export function readBatches(stream: PlatformaticStream): BatchReader {
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  stream.on('readable', poke);
  stream.on('error', (err) => {
    failure ??= err;
    poke();
  });
  const onEnd = () => {
    ended = true;
    poke();
  };
  stream.on('end', onEnd);
  stream.on('close', onEnd);
  return {
    async next(max) {
      for (;;) {
        const batch: PlatformaticMessage[] = [];
        for (let m; batch.length < max && (m = stream.read() as PlatformaticMessage | null);)
          batch.push(m);
        if (batch.length > 0) return batch;
        if (ended || failure !== undefined || stream.destroyed) return null;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    error: () => failure,
  };
}
