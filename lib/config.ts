import { commaList } from './comma-list.ts';
import { ConfigError } from './errors.ts';
import { int, level, opt, text, url, type OptionSpec } from './option-spec.ts';
import { BULLMQ_OPTIONS } from './transports/bullmq/options.ts';
import { KAFKA_OPTIONS } from './transports/kafka/options.ts';
import { REDIS_OPTIONS } from './transports/redis/options.ts';
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

/** Every option, grouped as the config object is. Units are in the names (`Ms`, `Bytes`). */
export const OPTIONS = {
  logLevel: opt('LOG_LEVEL', 'info', level, 'pino log level'),
  kafka: KAFKA_OPTIONS,
  redis: REDIS_OPTIONS,
  bullmq: BULLMQ_OPTIONS,
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
    commandTimeoutMs: opt(
      'SINK_COMMAND_TIMEOUT_MS',
      5000,
      int(100),
      'longest wait for a sink reply in the workers before the write fails as retriable',
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
    workTimeJitterMs: opt(
      'WORK_TIME_JITTER_MS',
      0,
      int(0, 600000),
      'extra simulated work per event, uniform in 0..this, seeded per worker',
    ),
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
    topology: opt(
      'INFRA_TOPOLOGY',
      'single',
      (raw, env) => {
        const names = ['single', 'cluster'];
        if (!names.includes(raw))
          throw new ConfigError(`${env} must be one of ${names.join(', ')}`);
        return raw as 'single' | 'cluster';
      },
      'single: one Kafka, one Redis; cluster: 3 KRaft nodes, Redis primary + replica + 3 Sentinels (local provider)',
    ),
    kafkaNodeHeapMb: opt(
      'KAFKA_NODE_HEAP_MB',
      256,
      int(128, 384),
      'heap of each Kafka node of the cluster topology',
    ),
  },
  tracing: {
    endpoint: opt(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      '',
      url,
      'OTLP/HTTP collector base URL; set, it turns tracing on (spans go to <url>/v1/traces)',
    ),
    tracesEndpoint: opt(
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      '',
      url,
      'OTLP/HTTP traces URL, used as it is; set, it turns tracing on',
    ),
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

/** Resolves every option; a bad value goes to `problems` (all of them, not only the first). */
function resolve(node: unknown, env: Env, problems: ConfigError[]): unknown {
  if (isSpec(node)) {
    const raw = env[node.env];
    if (raw === undefined || raw === '') return node.default;
    try {
      return node.parse(raw, node.env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(err);
      return node.default;
    }
  }
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, resolve(v, env, problems)]),
  );
}

/** One error for all the bad variables, so that a user fixes them in one go. */
function configProblems(problems: readonly ConfigError[]): ConfigError {
  if (problems.length === 1) return problems[0]!;
  const lines = problems.map((p) => `  ${p.message}`).join('\n');
  return new ConfigError(`${problems.length} variables are invalid:\n${lines}`, {
    cause: new AggregateError(problems),
  });
}

/** Reads and validates every option. Throws one ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: ConfigError[] = [];
  const config = resolve(OPTIONS, env, problems) as Config;
  if (problems.length > 0) throw configProblems(problems);
  // Per-role endpoints fall back to the shared one.
  if (config.kafka.producerBrokers.length === 0)
    config.kafka.producerBrokers = config.kafka.brokers;
  if (config.kafka.workersBrokers.length === 0) config.kafka.workersBrokers = config.kafka.brokers;
  config.redis.producerUrl ||= config.redis.url;
  config.redis.workersUrl ||= config.redis.url;
  config.sink.workersUrl ||= config.sink.url;
  return config;
}

/** The unit an option's name ends in (`_MS`, `_BYTES`, ...): the names carry the units. */
const UNIT_SUFFIXES: readonly [suffix: string, unit: string][] = [
  ['_MS', 'ms'],
  ['_SECONDS', 's'],
  ['_S', 's'],
  ['_BYTES', 'bytes'],
  ['_MB', 'MB'],
];

function unitOf(env: string): string | undefined {
  return UNIT_SUFFIXES.find(([suffix]) => env.endsWith(suffix))?.[1];
}

function defaultText(spec: OptionSpec<unknown>): string {
  const value = Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
  if (value === '') return 'unset';
  const unit = unitOf(spec.env);
  return unit === undefined ? value : `${value} ${unit}`;
}

/**
 * One line per option, `VARIABLE  default[ unit]  description` in aligned columns, for
 * `--help` (an option without a default says `unset`; its description tells what applies).
 */
export function describeOptions(): string[] {
  const specs: OptionSpec<unknown>[] = [];
  const walk = (node: unknown) => {
    if (isSpec(node)) specs.push(node);
    else Object.values(node as Record<string, unknown>).forEach(walk);
  };
  walk(OPTIONS);
  const rows = specs.map((s) => [s.env, defaultText(s), s.doc] as const);
  const width = (i: 0 | 1) => Math.max(...rows.map((r) => r[i].length));
  const [w0, w1] = [width(0), width(1)];
  return rows.map(([env, def, doc]) => `${env.padEnd(w0)}  ${def.padEnd(w1)}  ${doc}`);
}
