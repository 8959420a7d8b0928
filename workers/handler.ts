import { setTimeout as sleep } from 'node:timers/promises';
import type { TransportName } from '../lib/envelope.ts';
import { PermanentHandlerError } from '../lib/errors.ts';
import type { Sink } from '../lib/sink.ts';
import type { Handler } from '../lib/transports/types.ts';

export interface HandlerOptions {
  transport: TransportName;
  sink: Sink;
  /** Supervisor slot of this worker, stored with the first effect. */
  workerId: string;
  pid?: number;
  /** Simulated work per event, before the effect. */
  workTimeMs?: number;
  /** Called once per event whose delivery reached the sink. */
  onProcessed?: () => void;
}

function isPoison(payload: unknown): boolean {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    (payload as { poison?: unknown }).poison === true
  );
}

/**
 * The application's handler: simulated work, then one idempotent sink write. Events with
 * `payload.poison === true` fail permanently every time (the poison scenario).
 */
export function createHandler(options: HandlerOptions): Handler {
  const { transport, sink, workerId, pid = process.pid, workTimeMs = 0, onProcessed } = options;
  return async ({ event, deliveryCount }) => {
    if (workTimeMs > 0) await sleep(workTimeMs);
    if (isPoison(event.payload)) {
      throw new PermanentHandlerError(`poison event ${event.id} can never be processed`);
    }
    await sink.record({ transport, id: event.id, workerId, pid, deliveryCount });
    onProcessed?.();
  };
}
