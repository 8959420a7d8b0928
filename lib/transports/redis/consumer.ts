import type { Config } from '../../config.ts';
import { errorMessage } from '../../errors.ts';
import { createLogger } from '../../log.ts';
import { createMicroBatcher } from '../../micro-batcher.ts';
import { deadLetterStream } from '../dead-letter-names.ts';
import { deliveryLimits } from '../delivery-policy.ts';
import { createLimiter } from '../limiter.ts';
import { boundedCommands, createRedisClient } from '../redis-client.ts';
import { redisTarget } from '../redis-target.ts';
import type { Consumer, Handler, WorkerConsumerOptions } from '../types.ts';
import { consumeLoop } from './consume-loop.ts';
import { cmdOf, type RedisConsumerState } from './consumer-state.ts';
import { ensureGroup } from './group.ts';
import { redisConsumerName } from './identity.ts';

/**
 * Redis Streams consumer-group worker.
 *
 * On start the group is created from `0` with MKSTREAM (and again whenever a read reports
 * NOGROUP), then the worker re-reads its own pending entries (id `0`, left by a predecessor
 * with the same name) before new ones (`>`). It reads on while entries are handled (so one
 * slow entry does not stall its intake), holding at most `max(batchSize, concurrency)` and
 * reading again once half of that is done (reads stay large). Every `claimIntervalMs` it
 * XAUTOCLAIMs entries idle past `claimIdleMs` from dead or stuck consumers (consume-loop.ts).
 * An entry is XACKed only after the handler resolved. A failed entry stays pending and comes
 * back through XAUTOCLAIM; once the delivery policy (delivery-policy.ts, from the delivery
 * count in XPENDING) says dead-letter, it is copied to `<stream>.dlq` with the error and
 * acknowledged by one script that acknowledges only after the copy succeeded
 * (entry-handler.ts). Every command is bounded by REDIS_COMMAND_TIMEOUT_MS (the blocking
 * read by that plus its block time). Entries are never trimmed. Consumers that hold nothing
 * and are idle past `consumerDeleteIdleMs` are deleted.
 */
export function createRedisConsumer(
  config: Config,
  handler: Handler,
  options: WorkerConsumerOptions,
): Consumer {
  const { redis: r, workers: w } = config;
  const name = redisConsumerName(options.workerId);
  const capacity = Math.max(w.batchSize, w.concurrency);
  const s: RedisConsumerState = {
    r,
    target: redisTarget(config, 'workers'),
    w,
    name,
    log:
      options.logger ??
      createLogger('redis-consumer', { workerId: options.workerId, consumer: name }),
    handler,
    dlq: deadLetterStream(r.stream),
    limits: deliveryLimits(w),
    limit: createLimiter(w.concurrency),
    running: false,
    stop: new AbortController(),
    inFlight: new Set(),
    holding: new Set(),
    capacity,
    lowWater: Math.floor(capacity / 2),
    acks: createMicroBatcher<string>({
      lingerMs: 0,
      maxItems: 1000,
      flush: async (ids) => void (await cmdOf(s).xack(r.stream, r.groupName, ...ids)),
    }),
  };
  return redisConsumerVerbs(s);
}

function redisConsumerVerbs(s: RedisConsumerState): Consumer {
  const { r } = s;
  let loop: Promise<void> | undefined;
  let drainPromise: Promise<void> | undefined;
  return {
    transport: 'redis',

    async start() {
      // Commands fail at once while disconnected (factory default); the loop backs off and retries.
      s.cmd = createRedisClient(s.target, `${s.name}-cmd`, {
        lazyConnect: true,
        ...boundedCommands(r.commandTimeoutMs),
      });
      // The reader blocks up to blockMs; its bound comes on top of that.
      s.reader = createRedisClient(s.target, `${s.name}-read`, {
        lazyConnect: true,
        ...boundedCommands(r.commandTimeoutMs, r.blockMs),
      });
      await Promise.all([s.cmd.connect(), s.reader.connect()]);
      await ensureGroup(s, s.cmd);
      s.running = true;
      loop = consumeLoop(s);
      loop.catch((err: unknown) =>
        s.log.error({ err: errorMessage(err) }, 'redis consume loop stopped'),
      );
      s.log.info({ stream: r.stream, group: r.groupName }, 'redis consumer running');
    },

    drain() {
      drainPromise ??= (async () => {
        s.running = false;
        s.stop.abort();
        // The loop ends after its current read (at most blockMs); then the entries it holds
        // are finished and acknowledged.
        await loop?.catch(() => {});
        await Promise.allSettled([...s.inFlight]);
        await s.acks.drain();
        await Promise.allSettled([s.cmd?.quit(), s.reader?.quit()]);
        s.log.info('redis consumer drained');
      })();
      return drainPromise;
    },
  };
}
