import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaVersion, KafkaServer, provisionKafka } from './kafka-server.ts';
import { freePorts } from './ports.ts';
import { isAlive } from './process-alive.ts';
import { requireRedis } from './prerequisites.ts';
import { ensureProxies, type ProxySpec } from './proxies.ts';
import { RedisServer } from './redis-server.ts';
import { ToxiproxyServer, provisionToxiproxy } from './toxiproxy-server.ts';
import type { Endpoints, Infra, ManagedServer } from './types.ts';

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

/**
 * The embedded default: real Kafka (KRaft), two Redis servers and Toxiproxy, spawned on
 * free loopback ports with a fresh data dir, every link behind its own proxy.
 */
export async function startLocalInfra(options: LocalInfraOptions): Promise<LocalInfra> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const provisionStart = Date.now();
  await requireRedis(log);
  const [libs, toxiproxyBinary] = await Promise.all([
    provisionKafka(options.cacheDir, log),
    provisionToxiproxy(options.cacheDir, log),
  ]);
  const provisionS = (Date.now() - provisionStart) / 1000;

  const startStart = Date.now();
  await removeAbandonedWorkDirs();
  const workDir = await mkdtemp(join(tmpdir(), WORK_DIR_PREFIX));
  await writeFile(join(workDir, 'owner.pid'), String(process.pid));
  const [
    direct,
    kProducer,
    kWorkers,
    controller,
    producerProxy,
    workersProxy,
    redisPort,
    sinkPort,
    toxiPort,
    redisProducerProxy,
    redisWorkersProxy,
    sinkWorkersProxy,
  ] = await freePorts(12);

  const toxiproxy = new ToxiproxyServer(toxiproxyBinary, toxiPort, workDir);
  const redis = new RedisServer('redis', redisPort, workDir);
  const sink = new RedisServer('sink', sinkPort, workDir);
  const kafka = await KafkaServer.create(
    libs,
    workDir,
    {
      direct,
      producer: kProducer,
      workers: kWorkers,
      controller,
      producerProxy,
      workersProxy,
    },
    options.kafkaHeapMb,
  );

  const proxySpecs: ProxySpec[] = [
    { name: 'kafka-producer', listenPort: producerProxy, upstream: `127.0.0.1:${kProducer}` },
    { name: 'kafka-workers', listenPort: workersProxy, upstream: `127.0.0.1:${kWorkers}` },
    { name: 'redis-producer', listenPort: redisProducerProxy, upstream: `127.0.0.1:${redisPort}` },
    { name: 'redis-workers', listenPort: redisWorkersProxy, upstream: `127.0.0.1:${redisPort}` },
    { name: 'sink-workers', listenPort: sinkWorkersProxy, upstream: `127.0.0.1:${sinkPort}` },
  ];

  const all = [toxiproxy, redis, sink, kafka];
  let stopping: Promise<void> | undefined;
  const stop = () =>
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

  try {
    await toxiproxy.start();
    await ensureProxies(toxiproxy.url, proxySpecs);
    await Promise.all([redis.start(), sink.start(), kafka.start()]);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }

  const proxied = (port: number) => `127.0.0.1:${port}`;
  const endpoints: Endpoints = {
    kafka: {
      direct: kafka.directAddress,
      producer: proxied(producerProxy),
      workers: proxied(workersProxy),
    },
    redis: {
      direct: redis.url,
      producer: `redis://${proxied(redisProducerProxy)}`,
      workers: `redis://${proxied(redisWorkersProxy)}`,
    },
    sink: { direct: sink.url, workers: `redis://${proxied(sinkWorkersProxy)}` },
    toxiproxy: { url: toxiproxy.url },
  };

  // A restarted Toxiproxy comes back empty: give it its proxies again.
  const toxiproxyManaged: ManagedServer = {
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
      await ensureProxies(toxiproxy.url, proxySpecs);
    },
  };

  const [kafkaV, redisV, toxiV] = await Promise.all([
    kafkaVersion(),
    redis.version(),
    toxiproxy.version(),
  ]);
  return {
    provider: 'local',
    endpoints,
    versions: { kafka: kafkaV, redis: redisV, toxiproxy: toxiV },
    servers: new Map<ManagedServer['name'], ManagedServer>([
      ['kafka', kafka],
      ['redis', redis],
      ['sink', sink],
      ['toxiproxy', toxiproxyManaged],
    ]),
    pids: () => all.map((s) => s.pid).filter((pid): pid is number => pid !== undefined),
    stop,
    timings: { provisionS, startS: (Date.now() - startStart) / 1000 },
    workDir,
  };
}
