import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaMessage } from 'kafkajs';
import { decodeEnvelope } from '../../envelope.ts';
import { PermanentHandlerError, errorMessage } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { classifyFailure, decideDelivery, type DeliveryLimits } from '../delivery-policy.ts';
import type { Handler } from '../types.ts';
import type { KafkaDeadLetters } from './dead-letters.ts';
import { kafkaTraceFields } from './message.ts';

export interface MessageHandlerContext {
  handler: Handler;
  limits: DeliveryLimits;
  deadLetters: KafkaDeadLetters;
  log: Logger;
  draining: () => boolean;
  /** Aborted on drain: ends retry delays at once. */
  signal: AbortSignal;
}

/**
 * Handles one message to completion, retrying in place (Kafka has no per-message
 * redelivery) as the delivery policy says. `receipts` are the durable receipts counted for
 * it (earlier workers included). True: done (applied or dead-lettered). False: left
 * unresolved because we are draining.
 */
export type MessageHandler = (
  message: KafkaMessage,
  partition: number,
  receipts: number,
) => Promise<boolean>;

export function createMessageHandler(ctx: MessageHandlerContext): MessageHandler {
  return async (message, partition, receipts) => {
    let counted = 0;
    for (let attempt = 1; ; attempt += 1) {
      if (ctx.draining() && attempt > 1) return false;
      const err = await attemptOnce(ctx.handler, message, partition, receipts + counted);
      if (err === undefined) return true;
      const failure = classifyFailure(err);
      if (failure === 'counted') counted += 1;
      // Deliveries so far: the durable receipts and the counted retries here; retriable
      // retries in place are not deliveries.
      const deliveries = receipts - 1 + counted;
      const decision = decideDelivery({ failure, deliveries, attempt }, ctx.limits);
      if (decision.action === 'dead-letter')
        return ctx.deadLetters.write(message, partition, err, deliveries);
      ctx.log.debug(
        { partition, offset: message.offset, failure, deliveries, err: errorMessage(err) },
        'delivery failed; retrying',
      );
      await sleep(decision.afterMs, undefined, { signal: ctx.signal }).catch(() => {});
    }
  };
}

/** Runs the handler once; the error it failed with, or undefined on success. */
async function attemptOnce(
  handler: Handler,
  message: KafkaMessage,
  partition: number,
  deliveryCount: number,
): Promise<unknown> {
  try {
    if (message.value === null)
      throw new PermanentHandlerError(`empty message at offset ${message.offset}`);
    const trace = kafkaTraceFields(message.headers);
    await handler({
      event: decodeEnvelope(message.value),
      deliveryCount,
      position: { shard: String(partition), at: [Number(message.offset), 0] },
      ...(trace ? { trace } : {}),
    });
    return undefined;
  } catch (err) {
    return err ?? new Error('handler failed with no error');
  }
}
