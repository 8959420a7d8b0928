import type { RedisTarget } from '../redis-target.ts';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import type { MicroBatcher } from '../../micro-batcher.ts';
import type { DeliveryLimits } from '../delivery-policy.ts';
import type { Limiter } from '../limiter.ts';
import type { Handler } from '../types.ts';

/** `fields` is null for a pending entry that was deleted from the stream. */
export type StreamEntry = [id: string, fields: string[] | null];

/** What the parts of one Redis consumer (consumer.ts) share. */
export interface RedisConsumerState {
  r: Config['redis'];
  /** Where the workers reach the broker Redis (a URL or Sentinel). */
  target: RedisTarget;
  w: Config['workers'];
  /** This consumer's name in the group. */
  name: string;
  log: Logger;
  handler: Handler;
  /** The dead-letter stream. */
  dlq: string;
  limits: DeliveryLimits;
  limit: Limiter;
  /** XREADGROUP BLOCK holds the reader; acks and claims go over cmd. */
  reader?: Redis;
  cmd?: Redis;
  running: boolean;
  /** Aborted on drain. */
  stop: AbortController;
  /** Entries being handled, and their ids. */
  inFlight: Set<Promise<void>>;
  holding: Set<string>;
  /** Most entries held at once: max(batchSize, concurrency). */
  capacity: number;
  /** The loop reads again once no more than this many are held. */
  lowWater: number;
  /** Set while the loop waits for room; called once no more than lowWater are held. */
  onRoom?: () => void;
  /** Acks of one event-loop turn go out as one XACK. */
  acks: MicroBatcher<string>;
}

/** The command connection, once started. */
export const cmdOf = (s: RedisConsumerState): Redis => s.cmd as Redis;
