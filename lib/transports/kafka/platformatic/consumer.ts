import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../../config.ts';
import { errorMessage } from '../../../errors.ts';
import { createLogger } from '../../../log.ts';
import { backoffMs, retry } from '../../../retry.ts';
import { deadLetterTopic } from '../../dead-letter-names.ts';
import { deliveryLimits } from '../../delivery-policy.ts';
import type { Consumer, Handler, WorkerConsumerOptions } from '../../types.ts';
import type { KafkaDeadLetters } from '../dead-letters.ts';
import { kafkaConsumerId } from '../identity.ts';
import { createMessageHandler } from '../message-handler.ts';
import { createReceiptCounter } from '../receipts.ts';
import { withPlatformaticAdmin } from './client.ts';
import { createFairLimiter } from './fair-limiter.ts';
import { openSession, type ConsumerSession, type SessionDeps } from './consumer-session.ts';
import { createPlatformaticDeadLetters } from './dead-letters.ts';
import { brokerCodes } from './errors.ts';
import { ensurePlatformaticTopics } from './topics.ts';

const RESTART = { baseMs: 500, maxMs: 5000 } as const;

/**
 * Kafka consumer-group worker on @platformatic/kafka, with the kafkajs consumer's contract:
 * each owned partition's messages go through the key-ordered scheduler (partition-work.ts),
 * the retry-in-place handler, the one delivery policy and durable receipts of the kafkajs
 * consumer (message-handler.ts, receipts.ts); offsets are committed only through each
 * partition's all-done prefix, at most `commitIntervalMs` apart, when a rebalance starts,
 * when a partition is handed over and on drain. Partitions move cooperatively
 * (assignor.ts, ownership.ts): a partition is handed over only after its in-flight messages
 * finished and were committed, so no two members work on it at once. Heartbeats run on the
 * client's own timer, whatever the handler does. A stream or group failure the client does
 * not recover from ends the session; the next one starts over with a new consumer.
 */
export function createPlatformaticConsumer(
  config: Config,
  handler: Handler,
  options: WorkerConsumerOptions,
): Consumer {
  const { kafka: k, workers: w } = config;
  const log = options.logger ?? createLogger('kafka-consumer', { workerId: options.workerId });
  let draining = false;
  const drainSignal = new AbortController();
  const deadLetters = createPlatformaticDeadLetters({
    client: { brokers: k.workersBrokers, clientId: `${kafkaConsumerId(options.workerId)}-dlq` },
    topic: deadLetterTopic(k.topic),
    retryBackoffMs: w.retryBackoffMs,
    signal: drainSignal.signal,
    log,
  });
  const deps: SessionDeps = {
    config,
    log,
    workerId: options.workerId,
    staticMember: k.staticMembership,
    work: {
      concurrency: w.concurrency,
      limit: createFairLimiter(w.concurrency),
      receipts: createReceiptCounter(options.countReceipts, log),
      handle: createMessageHandler({
        handler,
        limits: deliveryLimits(w),
        deadLetters,
        log,
        draining: () => draining,
        signal: drainSignal.signal,
      }),
    },
  };
  const stopDraining = () => {
    draining = true;
    drainSignal.abort();
  };
  return consumerVerbs({ deps, deadLetters, drainSignal: drainSignal.signal, stopDraining });
}

interface Parts {
  deps: SessionDeps;
  deadLetters: KafkaDeadLetters;
  drainSignal: AbortSignal;
  stopDraining: () => void;
}

function consumerVerbs(parts: Parts): Consumer {
  const { deps, drainSignal } = parts;
  const { log } = deps;
  const k = deps.config.kafka;
  let loop: Promise<void> | undefined;
  let drainPromise: Promise<void> | undefined;
  return {
    transport: 'kafka',
    async start() {
      await retry(
        () =>
          withPlatformaticAdmin({ brokers: k.workersBrokers, clientId: 'workers-setup' }, (a) =>
            ensurePlatformaticTopics(a, { topic: k.topic, partitions: k.partitions }),
          ),
        { ...RESTART, signal: drainSignal },
      );
      let opened: () => void = () => undefined;
      const first = new Promise<void>((resolve) => (opened = resolve));
      loop = superviseSessions(deps, drainSignal, opened);
      await Promise.race([first, loop]);
      log.info({ topic: k.topic, groupId: k.groupId }, 'kafka consumer running');
    },
    drain() {
      drainPromise ??= (async () => {
        parts.stopDraining();
        await loop; // closes the session: in-flight messages finish and are committed
        await parts.deadLetters.close();
        log.info('kafka consumer drained');
      })();
      return drainPromise;
    },
  };
}

/** Keeps one session open until the drain: a failed one is closed and replaced. */
async function superviseSessions(
  deps: SessionDeps,
  drain: AbortSignal,
  onOpen: () => void,
): Promise<void> {
  const drained = new Promise<void>((resolve) => drain.addEventListener('abort', () => resolve()));
  for (let failures = 0; !drain.aborted;) {
    let session: ConsumerSession;
    try {
      session = await openSession(deps);
    } catch (err) {
      failures += 1;
      deps.log.warn(
        { err: errorMessage(err), codes: brokerCodes(err) },
        'kafka consumer could not join; retrying',
      );
      await sleep(backoffMs(failures, RESTART), undefined, { signal: drain }).catch(() => {});
      continue;
    }
    failures = 0;
    onOpen();
    const why = await Promise.race([session.ended, drained]);
    // Drained or failed, the session ends the same way: in-flight work finished, committed.
    // A close that fails must not end the loop: the worker would live on with no consumer.
    await session
      .close()
      .catch((err: unknown) =>
        deps.log.warn({ err: errorMessage(err) }, 'kafka consumer session did not close cleanly'),
      );
    if (drain.aborted) return;
    deps.log.warn({ err: errorMessage(why) }, 'kafka consumer session ended; starting a new one');
    await sleep(backoffMs(1, RESTART), undefined, { signal: drain }).catch(() => {});
  }
}
