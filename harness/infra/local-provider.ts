import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaVersion, KafkaServer, provisionKafka, type KafkaPorts } from './kafka-server.ts';
import { freePorts } from './ports.ts';
import { isAlive } from './process-alive.ts';
import { requireRedis } from './prerequisites.ts';
import { ensureProxies, type ProxySpec } from './proxies.ts';
import { RedisServer } from './redis-server.ts';
import { ToxiproxyServer, provisionToxiproxy } from './toxiproxy-server.ts';
import type { Endpoints, Infra, ManagedServer } from './types.ts';
import { abandonFailedStart } from './failed-start-logs.ts';

const WORK_DIR_PREFIX = 'pipeline-infra-';

/**
 * A harness killed with SIGKILL takes its servers with it (pdeathsig) but cannot remove their
 * data dirs: remove those whose owner process is gone.
 */
async function removeAbandonedWorkDirs(): Promise<void> {
  const names = (await readdir(tmpdir())).filter((n) => n.startsWith(WORK_DIR_PREFIX));
  for (const name of names) {
    const dir = join(tmpdir(), name);
    const owner = Number(await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner) && !isAlive(owner)) await rm(dir, { recursive: true, force: true });
  }
}

export interface LocalInfraOptions {
  /** Provisioning cache (`.infra/`). */
  cacheDir: string;
  /** Heap of the single broker, or of each cluster node. */
  kafkaHeapMb: number;
  /** Progress lines ("fetching Kafka jars ..."); defaults to stderr. */
  log?: (line: string) => void;
}

export interface LocalInfra extends Infra {
  /** Seconds spent provisioning (0 when everything was cached) and starting. */
  readonly timings: { provisionS: number; startS: number };
  /** Where this run's data and server logs live. */
  readonly workDir: string;
}

/** Every loopback port one local run listens on. */
interface LocalPorts {
  kafka: KafkaPorts;
  redis: number;
  sink: number;
  toxiproxy: number;
  redisProducerProxy: number;
  redisWorkersProxy: number;
  sinkWorkersProxy: number;
}

interface LocalServers {
  toxiproxy: ToxiproxyServer;
  redis: RedisServer;
  sink: RedisServer;
  kafka: KafkaServer;
}

/**
 * What every local topology needs first: redis-server on the machine, then the Kafka jars and
 * the Toxiproxy binary in the cache (fetched or built on first use), in parallel.
 */
export async function provisionLocal(options: LocalInfraOptions) {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const provisionStart = Date.now();
  await requireRedis(log);
  const [libs, toxiproxyBinary] = await Promise.all([
    provisionKafka(options.cacheDir, log),
    provisionToxiproxy(options.cacheDir, log),
  ]);
  return { libs, toxiproxyBinary, provisionS: (Date.now() - provisionStart) / 1000 };
}

/**
 * The embedded default: real Kafka (KRaft), two Redis servers and Toxiproxy, spawned on
 * free loopback ports with a fresh data dir, every link behind its own proxy.
 */
export async function startLocalInfra(options: LocalInfraOptions): Promise<LocalInfra> {
  const { libs, toxiproxyBinary, provisionS } = await provisionLocal(options);

  const startStart = Date.now();
  const workDir = await freshWorkDir();
  const ports = await allocatePorts();
  const servers: LocalServers = {
    toxiproxy: new ToxiproxyServer(toxiproxyBinary, ports.toxiproxy, workDir),
    redis: new RedisServer('redis', ports.redis, workDir),
    sink: new RedisServer('sink', ports.sink, workDir),
    kafka: await KafkaServer.create(libs, workDir, ports.kafka, options.kafkaHeapMb),
  };
  const { toxiproxy, redis, sink, kafka } = servers;
  const specs = proxySpecs(ports);
  const stop = stopOnce(servers, workDir);
  try {
    await toxiproxy.start();
    await ensureProxies(toxiproxy.url, specs);
    await Promise.all([redis.start(), sink.start(), kafka.start()]);
  } catch (err) {
    throw await abandonFailedStart(workDir, stop, err);
  }

  const [kafkaV, redisV, toxiV] = await Promise.all([
    kafkaVersion(),
    redis.version(),
    toxiproxy.version(),
  ]);
  const all = [toxiproxy, redis, sink, kafka];
  return {
    provider: 'local',
    topology: 'single',
    endpoints: localEndpoints(servers, ports),
    versions: { kafka: kafkaV, redis: redisV, toxiproxy: toxiV },
    servers: new Map<ManagedServer['name'], ManagedServer>([
      ['kafka', kafka],
      ['redis', redis],
      ['sink', sink],
      ['toxiproxy', managedToxiproxy(toxiproxy, specs)],
    ]),
    pids: () => all.map((s) => s.pid).filter((pid): pid is number => pid !== undefined),
    stop,
    timings: { provisionS, startS: (Date.now() - startStart) / 1000 },
    workDir,
  };
}

/** A new data dir for this run, marked with its owner; abandoned ones are removed first. */
export async function freshWorkDir(): Promise<string> {
  await removeAbandonedWorkDirs();
  const workDir = await mkdtemp(join(tmpdir(), WORK_DIR_PREFIX));
  await writeFile(join(workDir, 'owner.pid'), String(process.pid));
  return workDir;
}

async function allocatePorts(): Promise<LocalPorts> {
  const [
    direct,
    kProducer,
    kWorkers,
    controller,
    producerProxy,
    workersProxy,
    redis,
    sink,
    toxiproxy,
    redisProducerProxy,
    redisWorkersProxy,
    sinkWorkersProxy,
  ] = await freePorts(12);
  return {
    kafka: {
      direct,
      producer: kProducer,
      workers: kWorkers,
      controller,
      producerProxy,
      workersProxy,
    },
    redis,
    sink,
    toxiproxy,
    redisProducerProxy,
    redisWorkersProxy,
    sinkWorkersProxy,
  };
}

/** Every link behind its own proxy: listen port -> the server it fronts. */
function proxySpecs(p: LocalPorts): ProxySpec[] {
  const k = p.kafka;
  return [
    { name: 'kafka-producer', listenPort: k.producerProxy, upstream: `127.0.0.1:${k.producer}` },
    { name: 'kafka-workers', listenPort: k.workersProxy, upstream: `127.0.0.1:${k.workers}` },
    { name: 'redis-producer', listenPort: p.redisProducerProxy, upstream: `127.0.0.1:${p.redis}` },
    { name: 'redis-workers', listenPort: p.redisWorkersProxy, upstream: `127.0.0.1:${p.redis}` },
    { name: 'sink-workers', listenPort: p.sinkWorkersProxy, upstream: `127.0.0.1:${p.sink}` },
  ];
}

/** An idempotent stop of every server and the data dir. */
function stopOnce(servers: LocalServers, workDir: string): () => Promise<void> {
  const { toxiproxy, redis, sink, kafka } = servers;
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      // All at once; a failure to stop one server must not leave the others running.
      const results = await Promise.allSettled([
        kafka.stop(),
        redis.stop(),
        sink.stop(),
        toxiproxy.stop(),
      ]);
      await rm(workDir, { recursive: true, force: true });
      const failures = results.flatMap((r): unknown[] =>
        r.status === 'rejected' ? [r.reason] : [],
      );
      if (failures.length > 0) throw new AggregateError(failures, 'infra stop failed');
    })());
}

function localEndpoints(servers: LocalServers, ports: LocalPorts): Endpoints {
  const proxied = (port: number) => `127.0.0.1:${port}`;
  return {
    kafka: {
      direct: servers.kafka.directAddress,
      producer: proxied(ports.kafka.producerProxy),
      workers: proxied(ports.kafka.workersProxy),
    },
    redis: {
      direct: servers.redis.url,
      producer: `redis://${proxied(ports.redisProducerProxy)}`,
      workers: `redis://${proxied(ports.redisWorkersProxy)}`,
    },
    sink: { direct: servers.sink.url, workers: `redis://${proxied(ports.sinkWorkersProxy)}` },
    toxiproxy: { url: servers.toxiproxy.url },
  };
}

/** A restarted Toxiproxy comes back empty: give it its proxies again. */
export function managedToxiproxy(toxiproxy: ToxiproxyServer, specs: ProxySpec[]): ManagedServer {
  return {
    name: 'toxiproxy',
    get pid() {
      return toxiproxy.pid;
    },
    get running() {
      return toxiproxy.running;
    },
    kill: () => toxiproxy.kill(),
    restart: async () => {
      await toxiproxy.restart();
      await ensureProxies(toxiproxy.url, specs);
    },
  };
}
