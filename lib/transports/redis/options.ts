import { int, opt, text, url } from '../../option-spec.ts';

/**
 * Redis Streams' slice of the options, with the broker Redis connection (BullMQ rides on the
 * same Redis). Units are in the names.
 */
export const REDIS_OPTIONS = {
  url: opt('REDIS_URL', 'redis://127.0.0.1:6379', url, 'broker Redis (streams and BullMQ)'),
  producerUrl: opt(
    'REDIS_PRODUCER_URL',
    '',
    url,
    'broker Redis for the producer (default REDIS_URL)',
  ),
  workersUrl: opt('REDIS_WORKERS_URL', '', url, 'broker Redis for the workers (default REDIS_URL)'),
  stream: opt('REDIS_STREAM', 'events', text, 'stream the events go to'),
  groupName: opt('REDIS_GROUP', 'pipeline-workers', text, 'consumer group of the workers'),
  claimIdleMs: opt(
    'REDIS_CLAIM_IDLE_MS',
    5000,
    int(100),
    'pending entries idle this long are claimed by another consumer',
  ),
  claimIntervalMs: opt(
    'REDIS_CLAIM_INTERVAL_MS',
    1000,
    int(50),
    'how often each consumer runs XAUTOCLAIM',
  ),
  blockMs: opt('REDIS_BLOCK_MS', 1000, int(10), 'XREADGROUP BLOCK time'),
  commandTimeoutMs: opt(
    'REDIS_COMMAND_TIMEOUT_MS',
    5000,
    int(100),
    'longest wait for a broker Redis reply in the workers, then retriable; blocking reads get their block time on top',
  ),
  consumerDeleteIdleMs: opt(
    'REDIS_CONSUMER_DELETE_IDLE_MS',
    60000,
    int(1000),
    'group consumers idle this long with nothing pending are deleted',
  ),
} as const;
