import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { EventEnvelope, TransportName } from '../envelope.ts';
import { IndeterminateError, NotSentError } from '../errors.ts';
import { failpoint } from '../failpoints.ts';
import { createHealthMonitor } from '../health-monitor.ts';
import type { Logger } from '../log.ts';
import type { TraceFields } from '../tracing/trace-fields.ts';
import { createMicroBatcher } from '../micro-batcher.ts';
import { withTimeout } from '../with-timeout.ts';
import type { Publisher } from './types.ts';

/** One event to write, with its trace context while tracing is on. */
export interface OutgoingEvent {
  event: EventEnvelope;
  trace?: TraceFields;
}

export interface RedisPublisherShellOptions {
  transport: TransportName;
  config: Config;
  logger: Logger;
  /** The one connection every publish goes over. */
  client: Redis;
  /** Writes one gathered batch; resolves once Redis replied to all of it. */
  flush: (items: OutgoingEvent[]) => Promise<void>;
  /** Closes what the transport built on the connection (before the connection quits). */
  closeExtra?: () => Promise<void>;
}

/** Pings the connection every `healthIntervalMs`; a failed check resets the connection. */
function watchHealth(options: RedisPublisherShellOptions, resetConnection: () => void) {
  const { transport, config, logger, client } = options;
  const health = createHealthMonitor({
    intervalMs: config.producer.healthIntervalMs,
    timeoutMs: Math.min(config.producer.ackTimeoutMs, 2000),
    check: async () => {
      if (client.status !== 'ready') throw new NotSentError(`redis is ${client.status}`);
      await client.ping();
    },
    onCheckFailed: resetConnection,
    onChange: (ready, err) =>
      ready ? logger.info(`${transport} ready`) : logger.warn({ err }, `${transport} unreachable`),
  });
  client.on('ready', () => void health.checkNow());
  return health;
}

/** Closes what the transport built, then QUIT (it waits for replies to everything written). */
async function closeConnection(options: RedisPublisherShellOptions): Promise<void> {
  const { transport, config, logger, client, closeExtra } = options;
  const { ackTimeoutMs } = config.producer;
  try {
    if (closeExtra)
      await withTimeout(closeExtra(), ackTimeoutMs, () => new Error('close timed out'));
    if (client.status === 'ready')
      await withTimeout(client.quit(), ackTimeoutMs, () => new Error('quit timed out'));
  } catch (err) {
    logger.warn({ err }, `${transport} close failed`);
  } finally {
    client.disconnect();
  }
}

/** WAIT returns this much before the ack timeout, so its answer wins the race against it. */
const WAIT_MARGIN_MS = 50;

/**
 * WAIT until `replicas` replicas have everything this connection wrote, up to `deadline`.
 * Fewer is indeterminate (504): the write is on the primary, but a failover now would lose it.
 */
async function awaitReplicas(client: Redis, replicas: number, deadline: number): Promise<void> {
  let acked: number;
  try {
    acked = await client.wait(replicas, Math.max(1, deadline - Date.now()));
  } catch (err) {
    throw new IndeterminateError('redis WAIT failed after the write', { cause: err });
  }
  if (acked < replicas) {
    throw new IndeterminateError(
      `${acked} of ${replicas} redis replicas acknowledged the write in time`,
    );
  }
}

/**
 * What the Redis Streams and BullMQ publishers share: the readiness gate (fail fast with
 * NotSentError while disconnected), the health monitor, micro-batching of concurrent
 * publishes into one round trip, the ack timeout (IndeterminateError, and a new connection so
 * a late reply can never answer a later command), and an orderly close.
 */
export function createRedisPublisherShell(options: RedisPublisherShellOptions): Publisher {
  const { transport, config, logger, client, flush } = options;
  const { ackTimeoutMs, lingerMs, maxBatch } = config.producer;
  // ioredis logs to stderr on unhandled 'error'; the health monitor reports state changes.
  client.on('error', (err: Error) => logger.debug({ err }, `${transport} connection error`));

  const resetConnection = () => {
    if (client.status === 'ready' || client.status === 'connect') client.disconnect(true);
  };
  const health = watchHealth(options, resetConnection);

  const flushAndReplicate = async (items: OutgoingEvent[]) => {
    const deadline = Date.now() + ackTimeoutMs;
    await flush(items);
    // FAILPOINT redis-no-wait: acknowledged on the primary alone, lost if it fails over now.
    if (config.redis.waitReplicas > 0 && !failpoint('redis-no-wait')) {
      await awaitReplicas(client, config.redis.waitReplicas, deadline - WAIT_MARGIN_MS);
    }
  };

  const flushWithinTimeout = async (items: OutgoingEvent[]) => {
    let timedOut = false;
    try {
      await withTimeout(flushAndReplicate(items), ackTimeoutMs, () => {
        timedOut = true;
        return new IndeterminateError(`no reply from redis within ${ackTimeoutMs} ms`);
      });
    } catch (err) {
      if (timedOut) resetConnection();
      throw err;
    }
  };

  const batcher = createMicroBatcher<OutgoingEvent>({
    lingerMs,
    maxItems: Math.max(maxBatch, 1000),
    flush: flushWithinTimeout,
  });

  let closing: Promise<void> | undefined;

  return {
    transport,
    isReady: () => client.status === 'ready' && health.isReady(),

    publish(events: readonly EventEnvelope[], traces?: readonly TraceFields[]) {
      if (events.length === 0) return Promise.resolve();
      if (closing) return Promise.reject(new NotSentError('publisher is closed'));
      if (client.status !== 'ready') {
        health.markDown();
        return Promise.reject(new NotSentError(`redis not connected (${client.status})`));
      }
      return batcher.add(
        traces === undefined
          ? events.map((event) => ({ event }))
          : events.map((event, i) => ({ event, trace: traces[i] })),
      );
    },

    close() {
      closing ??= (async () => {
        health.stop();
        await batcher.drain();
        await closeConnection(options);
      })();
      return closing;
    },
  };
}
