import { setTimeout as sleep } from 'node:timers/promises';
import type { TransportName } from '../lib/envelope.ts';
import { PermanentHandlerError } from '../lib/errors.ts';
import type { Sink } from '../lib/sink.ts';
import { classifyFailure, decideDelivery } from '../lib/transports/delivery-policy.ts';
import type { MessagingTarget } from '../lib/tracing/messaging-target.ts';
import type { TraceStep, Tracing } from '../lib/tracing/tracing.ts';
import type { Delivery, Handler } from '../lib/transports/types.ts';
import type { DeliveryMetrics, DeliveryOutcome } from './worker-metrics.ts';

export interface HandlerOptions {
  transport: TransportName;
  sink: Sink;
  /** Supervisor slot of this worker, stored with the first effect. */
  workerId: string;
  pid?: number;
  /** Simulated work per event, before the effect. */
  workTimeMs?: number;
  /** Extra work per event, uniform in [0, workTimeJitterMs] (WORK_TIME_JITTER_MS). */
  workTimeJitterMs?: number;
  /** Uniform in [0, 1) for the jitter; default seeded from workerId and pid. */
  random?: () => number;
  /** Called once per event whose delivery reached the sink. */
  onProcessed?: () => void;
  /** Where each delivery's outcome and handling time are counted. */
  metrics?: DeliveryMetrics;
  /** MAX_DELIVERIES: the attempt after which a failing event is dead-lettered. */
  maxDeliveries?: number;
  /** With tracing on: a CONSUMER span per delivery around a child span of the sink write. */
  tracing?: { tracing: Tracing; target: MessagingTarget };
}

const untraced: TraceStep = (_name, fn) => fn();

/** The sink write's span: a Redis client call (the sink is the application's database). */
const SINK_SPAN = { name: 'sink write', attributes: { 'db.system.name': 'redis' } } as const;

/** `apply` inside a CONSUMER span continuing the message's trace, when tracing is on. */
function traced(
  apply: (delivery: Delivery, step: TraceStep) => Promise<void>,
  options: HandlerOptions['tracing'],
): Handler {
  if (options === undefined || !options.tracing.enabled) return (d) => apply(d, untraced);
  const { tracing, target } = options;
  return (delivery) =>
    tracing.process(target, { id: delivery.event.id, fields: delivery.trace }, (step) =>
      apply(delivery, step),
    );
}

function isPoison(payload: unknown): boolean {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    (payload as { poison?: unknown }).poison === true
  );
}

/** mulberry32 seeded from a text: each worker's jitter is its own repeatable sequence. */
function seededRandom(seed: string): () => number {
  let a = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) a = Math.imul(a ^ seed.charCodeAt(i), 0x01000193);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What the consumers do with a failed delivery (lib/transports/<name>/consumer.ts): a
 * retriable failure never counts against the event; any other is dead-lettered once the
 * delivery count reaches `maxDeliveries`.
 */
export function failedOutcome(
  err: unknown,
  deliveryCount: number,
  maxDeliveries: number,
): DeliveryOutcome {
  const failed = { failure: classifyFailure(err), deliveries: deliveryCount };
  const decision = decideDelivery(failed, { maxDeliveries, retryBackoffMs: 0 });
  return decision.action === 'dead-letter' ? 'dead_lettered' : 'failed';
}

/**
 * The application's handler: simulated work (with jitter: real handlers vary, and without
 * it concurrent work on one key finishes in start order, hiding any reordering), then one
 * idempotent sink write carrying the delivery's interval, broker position and key. Events
 * with `payload.poison === true` fail permanently every time (the poison scenario).
 */
export function createHandler(options: HandlerOptions): Handler {
  const { transport, sink, workerId, pid = process.pid, workTimeMs = 0, onProcessed } = options;
  const jitterMs = options.workTimeJitterMs ?? 0;
  const random = options.random ?? seededRandom(`${workerId}/${pid}`);
  const { metrics, maxDeliveries = Number.POSITIVE_INFINITY } = options;
  const apply = async ({ event, deliveryCount, position }: Delivery, step: TraceStep) => {
    const startMs = Date.now();
    const workMs = workTimeMs + (jitterMs > 0 ? Math.floor(random() * (jitterMs + 1)) : 0);
    if (workMs > 0) await sleep(workMs);
    if (isPoison(event.payload)) {
      throw new PermanentHandlerError(`poison event ${event.id} can never be processed`);
    }
    const record = {
      transport,
      id: event.id,
      workerId,
      pid,
      deliveryCount,
      startMs,
      ...(position ? { position } : {}),
      ...(event.key !== undefined ? { key: event.key } : {}),
    };
    await step(SINK_SPAN.name, () => sink.record(record), SINK_SPAN.attributes);
    onProcessed?.();
  };
  const handle = traced(apply, options.tracing);
  if (metrics === undefined) return handle;
  return async (delivery) => {
    const ended = metrics.started(delivery.deliveryCount);
    try {
      await handle(delivery);
      ended('processed');
    } catch (err) {
      ended(failedOutcome(err, delivery.deliveryCount, maxDeliveries));
      throw err;
    }
  };
}
