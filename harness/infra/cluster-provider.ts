import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  clusterPortCount,
  clusterPorts,
  clusterProxySpecs,
  kafkaClientProxy,
  kafkaNodeSettings,
  KAFKA_NODES,
  loopback,
  proxyPort,
  redisClientProxy,
  redisNatMap,
  redisPeerProxy,
  REDIS_NODES,
  SENTINEL_MASTER,
  SENTINELS,
  type ClusterPorts,
} from './cluster-layout.ts';
import { kafkaVersion, KafkaServer, randomClusterId } from './kafka-server.ts';
import {
  freshWorkDir,
  managedToxiproxy,
  provisionLocal,
  type LocalInfra,
  type LocalInfraOptions,
} from './local-provider.ts';
import { freePort } from './ports.ts';
import { ensureProxies } from './proxies.ts';
import { writeRedisNodeConf } from './redis-node-conf.ts';
import { RedisServer } from './redis-server.ts';
import { SentinelServer } from './sentinel-server.ts';
import { ToxiproxyServer } from './toxiproxy-server.ts';
import type { Endpoints, ManagedServer } from './types.ts';
import { waitUntil } from './wait-until.ts';
import { abandonFailedStart } from './failed-start-logs.ts';

export interface ClusterServers {
  toxiproxy: ToxiproxyServer;
  kafka: KafkaServer[];
  /** redis-1 starts as the primary, redis-2 as its replica. */
  redis: RedisServer[];
  sentinels: SentinelServer[];
  sink: RedisServer;
}

/**
 * The `cluster` topology of the local provider: three KRaft nodes, a Redis primary with one
 * replica and three Sentinels, the one sink Redis, and Toxiproxy in front of every client
 * link and every link between nodes (see cluster-layout.ts).
 */
export async function startClusterInfra(options: LocalInfraOptions): Promise<LocalInfra> {
  const { libs, toxiproxyBinary, provisionS } = await provisionLocal(options);

  const startStart = Date.now();
  const workDir = await freshWorkDir();
  const ports = clusterPorts(await distinctFreePorts(clusterPortCount()));
  const servers = await createServers(ports, workDir, libs, toxiproxyBinary, options.kafkaHeapMb);
  const all = allServers(servers);
  const stop = stopOnce(all, workDir);
  const specs = clusterProxySpecs(ports);
  try {
    await servers.toxiproxy.start();
    await ensureProxies(servers.toxiproxy.url, specs);
    await Promise.all([
      Promise.all(servers.kafka.map((k) => k.start())),
      startRedis(servers),
      servers.sink.start(),
    ]);
  } catch (err) {
    throw await abandonFailedStart(workDir, stop, err);
  }
  const [kafkaV, redisV, toxiV] = await Promise.all([
    kafkaVersion(),
    servers.sink.version(),
    servers.toxiproxy.version(),
  ]);
  const managed: ManagedServer[] = [
    ...all.filter((s) => s !== servers.toxiproxy),
    managedToxiproxy(servers.toxiproxy, specs),
  ];
  return {
    provider: 'local',
    topology: 'cluster',
    endpoints: clusterEndpoints(servers, ports),
    versions: { kafka: kafkaV, redis: redisV, toxiproxy: toxiV },
    servers: new Map(managed.map((s) => [s.name, s])),
    pids: () => all.map((s) => s.pid).filter((pid): pid is number => pid !== undefined),
    stop,
    timings: { provisionS, startS: (Date.now() - startStart) / 1000 },
    workDir,
  };
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let i = 0; ports.size < count && i < count * 10; i++) ports.add(await freePort());
  return [...ports];
}

async function createServers(
  ports: ClusterPorts,
  workDir: string,
  libs: string,
  toxiproxyBinary: string,
  heapMb: number,
): Promise<ClusterServers> {
  const clusterId = randomClusterId();
  const kafka = await Promise.all(
    KAFKA_NODES.map(async (n) => {
      const dir = join(workDir, `kafka-${n}`);
      await mkdir(dir, { recursive: true });
      const node = ports.kafka[n - 1];
      const spec = {
        name: `kafka-${n}` as const,
        dir,
        libs,
        heapMb,
        clusterId,
        directAddress: loopback(node?.direct ?? 0),
        brokers: KAFKA_NODES.length,
      };
      return KafkaServer.createNode(spec, kafkaNodeSettings(ports, n));
    }),
  );
  const redis = await Promise.all(REDIS_NODES.map((n) => redisNode(ports, workDir, n)));
  const primaryPeer = proxyPort(ports, redisPeerProxy(1));
  const sentinels = SENTINELS.map(
    (n) =>
      new SentinelServer(
        `sentinel-${n}`,
        ports.sentinels[n - 1] ?? 0,
        workDir,
        SENTINEL_MASTER,
        primaryPeer,
      ),
  );
  return {
    toxiproxy: new ToxiproxyServer(toxiproxyBinary, ports.toxiproxy, workDir),
    kafka,
    redis,
    sentinels,
    sink: new RedisServer('sink', ports.sink, workDir),
  };
}

/** Node 1 is the first primary; node 2 replicates from it through node 1's peer proxy. */
async function redisNode(ports: ClusterPorts, workDir: string, n: number): Promise<RedisServer> {
  const dir = join(workDir, `redis-${n}`);
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const port = ports.redis[n - 1] ?? 0;
  const conf = await writeRedisNodeConf(dir, {
    port,
    dataDir,
    announcePort: proxyPort(ports, redisPeerProxy(n)),
    replicaOf: n === 1 ? undefined : proxyPort(ports, redisPeerProxy(1)),
  });
  return new RedisServer(`redis-${n}`, port, workDir, conf);
}

/** Primary and replica, the replica in sync, then Sentinels that all see the same picture. */
async function startRedis(s: ClusterServers): Promise<void> {
  await Promise.all(s.redis.map((r) => r.start()));
  const [primary] = s.redis;
  if (!primary) throw new Error('no Redis primary');
  await waitUntil(
    'Redis replica',
    async () => /connected_slaves:1/.test(await primary.command((r) => r.info('replication'))),
    { timeoutMs: 20000 },
  );
  await Promise.all(s.sentinels.map((x) => x.start()));
  await waitUntil(
    'Sentinels',
    async () => {
      const views = await Promise.all(s.sentinels.map((x) => x.view()));
      return views.every((v) => v.replicas === 1 && v.sentinels === SENTINELS.length - 1);
    },
    { timeoutMs: 30000, intervalMs: 250 },
  );
}

function allServers(s: ClusterServers) {
  return [s.toxiproxy, ...s.kafka, ...s.redis, ...s.sentinels, s.sink];
}

/** An idempotent stop of every server and the data dir. */
function stopOnce(all: ReturnType<typeof allServers>, workDir: string): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      // Killed, not stopped: the data goes anyway, and nodes stopped together would wait out
      // their grace in a controlled shutdown that has lost its quorum.
      const results = await Promise.allSettled(
        all.map((s) => (s instanceof KafkaServer ? s.kill() : s.stop())),
      );
      await rm(workDir, { recursive: true, force: true });
      const failures = results.flatMap((r): unknown[] =>
        r.status === 'rejected' ? [r.reason] : [],
      );
      if (failures.length > 0) throw new AggregateError(failures, 'infra stop failed');
    })());
}

function clusterEndpoints(s: ClusterServers, p: ClusterPorts): Endpoints {
  const proxied = (name: string) => loopback(proxyPort(p, name));
  const kafkaGroup = (group: 'producer' | 'workers') =>
    KAFKA_NODES.map((n) => proxied(kafkaClientProxy(group, n))).join(',');
  return {
    kafka: {
      direct: s.kafka.map((k) => k.directAddress).join(','),
      producer: kafkaGroup('producer'),
      workers: kafkaGroup('workers'),
    },
    redis: {
      direct: s.redis[0]?.url ?? '',
      producer: `redis://${proxied(redisClientProxy('producer', 1))}`,
      workers: `redis://${proxied(redisClientProxy('workers', 1))}`,
      sentinel: {
        name: SENTINEL_MASTER,
        sentinels: s.sentinels.map((x) => x.address),
        natMap: {
          direct: redisNatMap(p, 'direct'),
          producer: redisNatMap(p, 'producer'),
          workers: redisNatMap(p, 'workers'),
        },
      },
    },
    sink: { direct: s.sink.url, workers: `redis://${proxied('sink-workers')}` },
    toxiproxy: { url: s.toxiproxy.url },
  };
}
