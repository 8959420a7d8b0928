import { commaList } from './comma-list.ts';
import { ConfigError } from './errors.ts';
import { FAILPOINTS, isFailpointName, type FailpointName } from './failpoints.ts';

/**
 * The only place that reads `process.env`. Every option is declared once below with its
 * variable, unit and default; `loadConfig` validates them all and names the bad variable.
 *
 * Endpoints come per role: the producer and the workers reach the brokers through their
 * own Toxiproxy links (`KAFKA_PRODUCER_BROKERS`, `KAFKA_WORKERS_BROKERS`, ...), each falling
 * back to the plain variable (`KAFKA_BROKERS`) so one address works for everyone.
 */

type Env = Record<string, string | undefined>;

interface OptionSpec<T> {
  env: string;
  doc: string;
  default: T;
  parse: (raw: string, env: string) => T;
}

const int =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (raw: string, env: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      const range =
        max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      throw new ConfigError(`${env} must be a whole number ${range}, got "${raw}"`);
    }
    return n;
  };

const text = (raw: string, env: string): string => {
  if (raw.trim() === '') throw new ConfigError(`${env} must not be empty`);
  return raw.trim();
};

const list = (raw: string, env: string): string[] => {
  const items = commaList(raw);
  if (items.length === 0) throw new ConfigError(`${env} must list at least one host:port`);
  for (const item of items) {
    if (!/^[^:\s]+:\d{1,5}$/.test(item)) {
      throw new ConfigError(`${env} entries must be host:port, got "${item}"`);
    }
  }
  return items;
};

const url = (raw: string, env: string): string => {
  try {
    new URL(raw);
  } catch {
    throw new ConfigError(`${env} must be a URL such as redis://127.0.0.1:6379, got "${raw}"`);
  }
  return raw;
};

const level = (raw: string, env: string): string => {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(raw)) throw new ConfigError(`${env} must be one of ${levels.join(', ')}`);
  return raw;
};

const opt = <T>(env: string, def: T, parse: OptionSpec<T>['parse'], doc: string) =>
  ({ env, default: def, parse, doc }) satisfies OptionSpec<T>;

/** Every option, grouped as the config object is. Units are in the names (`Ms`, `Bytes`). */
export const OPTIONS = {
  logLevel: opt('LOG_LEVEL', 'info', level, 'pino log level'),
  kafka: {
    brokers: opt('KAFKA_BROKERS', ['127.0.0.1:9092'], list, 'Kafka bootstrap host:port list'),
    producerBrokers: opt(
      'KAFKA_PRODUCER_BROKERS',
      [] as string[],
      list,
      'brokers for the producer (default KAFKA_BROKERS)',
    ),
    workersBrokers: opt(
      'KAFKA_WORKERS_BROKERS',
      [] as string[],
      list,
      'brokers for the workers (default KAFKA_BROKERS)',
    ),
    topic: opt('KAFKA_TOPIC', 'events', text, 'topic the events go to'),
    partitions: opt(
      'KAFKA_PARTITIONS',
      6,
      int(1, 1000),
      'partitions of the topic when it is created',
    ),
    groupId: opt('KAFKA_GROUP', 'pipeline-workers', text, 'consumer group of the workers'),
    sessionTimeoutMs: opt(
      'KAFKA_SESSION_TIMEOUT_MS',
      6000,
      int(1000),
      'consumer session timeout: a dead worker loses its partitions after this',
    ),
    heartbeatIntervalMs: opt(
      'KAFKA_HEARTBEAT_INTERVAL_MS',
      500,
      int(100),
      'consumer heartbeat interval',
    ),
    rebalanceTimeoutMs: opt(
      'KAFKA_REBALANCE_TIMEOUT_MS',
      10000,
      int(1000),
      'time members get to rejoin during a rebalance',
    ),
    commitIntervalMs: opt(
      'KAFKA_COMMIT_INTERVAL_MS',
      500,
      int(0),
      'longest time processed offsets wait for a commit inside a long batch',
    ),
  },
  redis: {
    url: opt('REDIS_URL', 'redis://127.0.0.1:6379', url, 'broker Redis (streams and BullMQ)'),
    producerUrl: opt(
      'REDIS_PRODUCER_URL',
      '',
      url,
      'broker Redis for the producer (default REDIS_URL)',
    ),
    workersUrl: opt(
      'REDIS_WORKERS_URL',
      '',
      url,
      'broker Redis for the workers (default REDIS_URL)',
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
    consumerDeleteIdleMs: opt(
      'REDIS_CONSUMER_DELETE_IDLE_MS',
      60000,
      int(1000),
      'group consumers idle this long with nothing pending are deleted',
    ),
  },
  bullmq: {
    queue: opt('BULLMQ_QUEUE', 'events', text, 'queue the events go to'),
    lockDurationMs: opt(
      'BULLMQ_LOCK_DURATION_MS',
      5000,
      int(500),
      'job lock; a killed worker holds its jobs this long',
    ),
    stalledIntervalMs: opt(
      'BULLMQ_STALLED_INTERVAL_MS',
      2000,
      int(100),
      'how often stalled jobs are looked for',
    ),
    maxStalledCount: opt(
      'BULLMQ_MAX_STALLED_COUNT',
      1000,
      int(1),
      'stalls before a job fails; high so kills never fail good jobs',
    ),
    keepCompletedS: opt(
      'BULLMQ_KEEP_COMPLETED_S',
      3600,
      int(0),
      'completed jobs are kept this long (a repeated id within it stays one job), then removed',
    ),
  },
  sink: {
    url: opt(
      'SINK_REDIS_URL',
      'redis://127.0.0.1:6380',
      url,
      'sink Redis (the application database)',
    ),
    workersUrl: opt(
      'SINK_WORKERS_URL',
      '',
      url,
      'sink Redis for the workers (default SINK_REDIS_URL)',
    ),
    namespace: opt(
      'SINK_NAMESPACE',
      'sink',
      text,
      'key prefix of the sink ledger (one per run or test)',
    ),
  },
  producer: {
    host: opt('PRODUCER_HOST', '127.0.0.1', text, 'address the HTTP server listens on'),
    port: opt(
      'PRODUCER_PORT',
      3000,
      int(0, 65535),
      'port the HTTP server listens on (0: any free port)',
    ),
    maxBatch: opt('PRODUCER_MAX_BATCH', 1000, int(1, 100000), 'most events in one request'),
    bodyLimitBytes: opt(
      'PRODUCER_BODY_LIMIT_BYTES',
      4 * 1024 * 1024,
      int(1024),
      'largest request body',
    ),
    maxPayloadDepth: opt(
      'PRODUCER_MAX_PAYLOAD_DEPTH',
      32,
      int(1, 1000),
      'deepest nesting allowed in a payload',
    ),
    ackTimeoutMs: opt(
      'PRODUCER_ACK_TIMEOUT_MS',
      5000,
      int(100),
      'wait for the broker ack before answering 504',
    ),
    lingerMs: opt(
      'PRODUCER_LINGER_MS',
      0,
      int(0, 1000),
      'extra wait to gather concurrent publishes into one broker round trip (0: same event-loop turn only)',
    ),
    shutdownTimeoutMs: opt(
      'PRODUCER_SHUTDOWN_TIMEOUT_MS',
      10000,
      int(0),
      'time in-flight requests get to finish on SIGTERM',
    ),
    healthIntervalMs: opt(
      'PRODUCER_HEALTH_INTERVAL_MS',
      500,
      int(50),
      'how often each broker link is checked (readiness, recovery after a fault)',
    ),
    retryAfterSeconds: opt(
      'PRODUCER_RETRY_AFTER_SECONDS',
      1,
      int(0, 3600),
      'Retry-After sent with 503 answers',
    ),
  },
  workers: {
    concurrency: opt('WORKER_CONCURRENCY', 16, int(1, 10000), 'events one worker handles at once'),
    batchSize: opt(
      'WORKER_BATCH_SIZE',
      100,
      int(1, 10000),
      'events fetched per read, and most a Redis worker holds at once (Kafka: batches as fetched)',
    ),
    workTimeMs: opt('WORK_TIME_MS', 0, int(0, 600000), 'simulated work per event'),
    maxDeliveries: opt(
      'MAX_DELIVERIES',
      5,
      int(1, 1000),
      'attempts before a failing event is dead-lettered',
    ),
    drainTimeoutMs: opt(
      'WORKER_DRAIN_TIMEOUT_MS',
      15000,
      int(0),
      'time a worker gets to finish and ack in-flight events on SIGTERM',
    ),
    respawnMinMs: opt(
      'RESPAWN_BACKOFF_MIN_MS',
      100,
      int(0),
      'first delay before a dead worker is replaced',
    ),
    respawnMaxMs: opt(
      'RESPAWN_BACKOFF_MAX_MS',
      10000,
      int(0),
      'longest delay between respawns of a crash-looping worker',
    ),
    controlPort: opt(
      'WORKERS_CONTROL_PORT',
      0,
      int(0, 65535),
      'port of the supervisor control endpoint (0: any free port)',
    ),
    retryBackoffMs: opt(
      'WORKER_RETRY_BACKOFF_MS',
      200,
      int(0),
      'first retry delay after a failed event, doubling per attempt (Kafka and BullMQ; Redis retries after REDIS_CLAIM_IDLE_MS)',
    ),
    minUptimeMs: opt(
      'WORKER_MIN_UPTIME_MS',
      1000,
      int(0),
      'a worker that dies sooner than this after start counts as crash-looping',
    ),
  },
  infra: {
    provider: opt(
      'INFRA_PROVIDER',
      'auto',
      (raw, env) => {
        const names = ['auto', 'local', 'external', 'testcontainers'];
        if (!names.includes(raw))
          throw new ConfigError(`${env} must be one of ${names.join(', ')}`);
        return raw as 'auto' | 'local' | 'external' | 'testcontainers';
      },
      'auto: external when TOXIPROXY_URL is set, else local, else testcontainers',
    ),
    toxiproxyUrl: opt(
      'TOXIPROXY_URL',
      '',
      url,
      'Toxiproxy API of running infrastructure (selects the external provider)',
    ),
    cacheDir: opt(
      'INFRA_CACHE_DIR',
      '',
      text,
      'where Kafka jars and Toxiproxy are cached (default .infra/ in the repo)',
    ),
    kafkaHeapMb: opt('KAFKA_HEAP_MB', 512, int(128, 8192), 'heap of the embedded Kafka broker'),
  },
  failpoints: opt(
    'FAILPOINTS',
    [] as FailpointName[],
    (raw, env) => {
      const names = commaList(raw);
      const bad = names.find((n) => !isFailpointName(n));
      if (bad !== undefined) {
        throw new ConfigError(
          `${env} names an unknown failpoint "${bad}"; known: ${Object.keys(FAILPOINTS).join(', ')}`,
        );
      }
      return names as FailpointName[];
    },
    'comma list of test-only faults to switch on (see lib/failpoints.ts); never in production',
  ),
} as const;

type Resolved<T> = T extends OptionSpec<infer V> ? V : { -readonly [K in keyof T]: Resolved<T[K]> };
export type Config = Resolved<typeof OPTIONS>;

function isSpec(node: unknown): node is OptionSpec<unknown> {
  return typeof node === 'object' && node !== null && 'env' in node && 'parse' in node;
}

function resolve(node: unknown, env: Env): unknown {
  if (isSpec(node)) {
    const raw = env[node.env];
    return raw === undefined || raw === '' ? node.default : node.parse(raw, node.env);
  }
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, resolve(v, env)]),
  );
}

/** The env names of everything one run keeps in the brokers and the sink. */
export interface IsolatedNames extends Record<string, string> {
  KAFKA_TOPIC: string;
  KAFKA_GROUP: string;
  REDIS_STREAM: string;
  REDIS_GROUP: string;
  BULLMQ_QUEUE: string;
  SINK_NAMESPACE: string;
}

/**
 * Its own topic, stream, queue, consumer groups and sink namespace for the run `id`, so that
 * runs (scenarios, tests, bench measurements) sharing one infrastructure never see each
 * other's data.
 */
export function isolatedNames(id: string): IsolatedNames {
  return {
    KAFKA_TOPIC: `events-${id}`,
    KAFKA_GROUP: `workers-${id}`,
    REDIS_STREAM: `events-${id}`,
    REDIS_GROUP: `workers-${id}`,
    BULLMQ_QUEUE: `events-${id}`,
    SINK_NAMESPACE: `sink-${id}`,
  };
}

/** Reads and validates every option. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const config = resolve(OPTIONS, env) as Config;
  // Per-role endpoints fall back to the shared one.
  if (config.kafka.producerBrokers.length === 0)
    config.kafka.producerBrokers = config.kafka.brokers;
  if (config.kafka.workersBrokers.length === 0) config.kafka.workersBrokers = config.kafka.brokers;
  config.redis.producerUrl ||= config.redis.url;
  config.redis.workersUrl ||= config.redis.url;
  config.sink.workersUrl ||= config.sink.url;
  return config;
}

/** One line per option: `VARIABLE (default): description`, for --help and the README. */
export function describeOptions(): string[] {
  const lines: string[] = [];
  const walk = (node: unknown) => {
    if (isSpec(node)) {
      const def = Array.isArray(node.default) ? node.default.join(',') : String(node.default);
      lines.push(`${node.env} (default ${def === '' ? 'see doc' : def}): ${node.doc}`);
    } else Object.values(node as Record<string, unknown>).forEach(walk);
  };
  walk(OPTIONS);
  return lines;
}
