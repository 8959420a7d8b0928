import { int, opt, text, url } from '../../option-spec.ts';
import { commaList } from '../../comma-list.ts';
import { ConfigError } from '../../errors.ts';

/** `from=to,...` host:port pairs (ioredis natMap), or empty. */
const natMap = (raw: string, env: string): Record<string, string> => {
  const pairs = commaList(raw).map((item) => item.split('='));
  const bad = pairs.find((p) => p.length !== 2 || p.some((a) => !/^[^:\s]+:\d{1,5}$/.test(a)));
  if (bad)
    throw new ConfigError(`${env} entries must be host:port=host:port, got "${bad.join('=')}"`);
  return Object.fromEntries(pairs.map(([from, to]) => [from ?? '', to ?? '']));
};

/** host:port list that may be empty (Sentinel off). */
const addresses = (raw: string, env: string): string[] => {
  const items = commaList(raw);
  const bad = items.find((i) => !/^[^:\s]+:\d{1,5}$/.test(i));
  if (bad !== undefined) throw new ConfigError(`${env} entries must be host:port, got "${bad}"`);
  return items;
};

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
  sentinels: opt(
    'REDIS_SENTINELS',
    [] as string[],
    addresses,
    'Sentinel host:port list: find the broker Redis primary through them (the URLs are then unused)',
  ),
  sentinelName: opt('REDIS_SENTINEL_NAME', 'mymaster', text, 'the primary Sentinel monitors'),
  natMap: opt(
    'REDIS_NAT_MAP',
    {},
    natMap,
    'with Sentinel: reported=reached host:port pairs for the harness (ioredis natMap)',
  ),
  producerNatMap: opt(
    'REDIS_PRODUCER_NAT_MAP',
    {},
    natMap,
    'with Sentinel: natMap of the producer (its own proxies)',
  ),
  workersNatMap: opt(
    'REDIS_WORKERS_NAT_MAP',
    {},
    natMap,
    'with Sentinel: natMap of the workers (their own proxies)',
  ),
  waitReplicas: opt(
    'REDIS_WAIT_REPLICAS',
    0,
    int(0, 10),
    'replicas that must acknowledge a publish (WAIT) within the ack timeout, else 504',
  ),
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
