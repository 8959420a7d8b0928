import type { TransportName } from '../lib/envelope.ts';

/** Primary -> worker. */
export type ToWorker =
  { type: 'start'; workerId: string; transport: TransportName } | { type: 'drain' };

/** Worker -> primary. `processed` is batched: a count since the last message. */
export type FromWorker =
  /** The worker listens for messages now (earlier ones would be lost): send `start`. */
  | { type: 'hello' }
  | { type: 'ready' }
  | { type: 'processed'; count: number }
  | { type: 'drained' };

export function isFromWorker(msg: unknown): msg is FromWorker {
  return (
    typeof msg === 'object' && msg !== null && typeof (msg as { type?: unknown }).type === 'string'
  );
}

export function isToWorker(msg: unknown): msg is ToWorker {
  const type = (msg as { type?: unknown } | null)?.type;
  return type === 'start' || type === 'drain';
}
