import type { StartedNetwork, StartedTestContainer } from 'testcontainers';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import type { ProxyName } from '../../lib/links.ts';
import {
  containerImages,
  kafkaContainerEnv,
  KAFKA_PORTS,
  LINK_PROXIES,
  REDIS_COMMAND,
  REDIS_PORT,
  TOXIPROXY_API_PORT,
} from './container-topology.ts';
import { ensureProxies } from './proxies.ts';
import type { Endpoints, Infra, ManagedServer } from './types.ts';
import { waitUntil } from './wait-until.ts';

/** True when a Docker (or compatible) engine answers; never throws. */
export async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/**
 * Toxiproxy listeners that are never faulted: the harness' own direct links. With them the
 * host reaches every broker through Toxiproxy's published ports only, so a broker container
 * can be restarted without any host address changing (Docker may map a restarted
 * container's ports anew).
 */
const DIRECT_PROXIES = {
  'kafka-direct': { listen: KAFKA_PORTS.DIRECT, upstream: `kafka:${KAFKA_PORTS.DIRECT}` },
  'redis-direct': { listen: REDIS_PORT, upstream: `redis:${REDIS_PORT}` },
  'sink-direct': { listen: 6380, upstream: `sink:${REDIS_PORT}` },
} as const;

const PROXY_PORTS = [...Object.values(LINK_PROXIES), ...Object.values(DIRECT_PROXIES)].map(
  (p) => p.listen,
);

/**
 * The same topology as the local provider, in containers on one Docker network
 * (harness/infra/container-topology.ts, as docker-compose.yml). No host port is picked in
 * advance, so none can be taken by someone else in between. Two phases:
 * 1. Toxiproxy starts with every listener port exposed and Docker choosing the host ports;
 *    they are read back with the container's host (`getHost()`, not 127.0.0.1: the engine
 *    may be remote).
 * 2. The brokers start, Kafka advertising those host addresses; the proxies are created.
 * Kafka, the broker Redis and the sink are killed and restarted through their containers
 * (broker-restart); Toxiproxy is not, since every host address is one of its ports.
 */
export async function startTestcontainersInfra(log?: (line: string) => void): Promise<Infra> {
  const { Network } = await import('testcontainers');
  log?.('testcontainers: starting Toxiproxy, then Kafka and Redis x2 ...');
  const images = await containerImages();
  const network = await new Network().start();
  const started: StartedTestContainer[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.allSettled(started.map((c) => c.stop()));
      await network.stop();
    })());
  try {
    const toxiproxy = await startToxiproxy(network, images.toxiproxy);
    started.push(toxiproxy);
    const endpoints = endpointsOf(toxiproxy);
    const brokers = await startBrokers(network, images, endpoints);
    started.push(...Object.values(brokers));
    await createProxies(endpoints.toxiproxy.url);
    const servers = new Map<ManagedServer['name'], ManagedServer>([
      ['kafka', await containerServer('kafka', brokers.kafka, () => kafkaReady(endpoints))],
      ['redis', await containerServer('redis', brokers.redis, () => pong(endpoints.redis.direct))],
      ['sink', await containerServer('sink', brokers.sink, () => pong(endpoints.sink.direct))],
    ]);
    return {
      provider: 'testcontainers',
      topology: 'single',
      endpoints,
      versions: images,
      servers,
      // Container processes are the engine's (maybe on another machine), not the harness's.
      pids: () => [],
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

async function startToxiproxy(network: StartedNetwork, image: string) {
  const { GenericContainer, Wait } = await import('testcontainers');
  return new GenericContainer(image)
    .withNetwork(network)
    .withNetworkAliases('toxiproxy')
    .withExposedPorts(TOXIPROXY_API_PORT, ...PROXY_PORTS)
    .withWaitStrategy(Wait.forHttp('/version', TOXIPROXY_API_PORT))
    .start();
}

/** Host addresses, all of them Toxiproxy listeners as Docker mapped them. */
function endpointsOf(toxiproxy: StartedTestContainer): Endpoints {
  const host = toxiproxy.getHost();
  const at = (port: number) => `${host}:${toxiproxy.getMappedPort(port)}`;
  const link = (name: ProxyName) => at(LINK_PROXIES[name].listen);
  return {
    kafka: {
      direct: at(DIRECT_PROXIES['kafka-direct'].listen),
      producer: link('kafka-producer'),
      workers: link('kafka-workers'),
    },
    redis: {
      direct: `redis://${at(DIRECT_PROXIES['redis-direct'].listen)}`,
      producer: `redis://${link('redis-producer')}`,
      workers: `redis://${link('redis-workers')}`,
    },
    sink: {
      direct: `redis://${at(DIRECT_PROXIES['sink-direct'].listen)}`,
      workers: `redis://${link('sink-workers')}`,
    },
    toxiproxy: { url: `http://${at(TOXIPROXY_API_PORT)}` },
  };
}

async function startBrokers(
  network: StartedNetwork,
  images: { kafka: string; redis: string },
  endpoints: Endpoints,
) {
  const { GenericContainer, Wait } = await import('testcontainers');
  const redis = (alias: string) =>
    new GenericContainer(images.redis)
      .withNetwork(network)
      .withNetworkAliases(alias)
      .withCommand([...REDIS_COMMAND])
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start();
  const kafka = new GenericContainer(images.kafka)
    .withNetwork(network)
    .withNetworkAliases('kafka')
    .withEnvironment(
      kafkaContainerEnv({
        direct: endpoints.kafka.direct,
        producer: endpoints.kafka.producer,
        workers: endpoints.kafka.workers,
      }),
    )
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const [redisC, sinkC, kafkaC] = await Promise.all([redis('redis'), redis('sink'), kafka]);
  return { redis: redisC, sink: sinkC, kafka: kafkaC };
}

/** The link proxies (faulted by the nemeses) and the direct ones (never faulted). */
async function createProxies(toxiproxyUrl: string): Promise<void> {
  const links = Object.entries(LINK_PROXIES).map(([name, p]) => ({
    name: name as ProxyName,
    listenPort: p.listen,
    upstream: p.upstream,
  }));
  // Inside the container the proxies listen on all interfaces, so Docker can forward to them.
  await ensureProxies(toxiproxyUrl, links, '0.0.0.0');
  const { Toxiproxy } = await import('toxiproxy-node-client');
  const toxiproxy = new Toxiproxy(toxiproxyUrl);
  for (const [name, p] of Object.entries(DIRECT_PROXIES)) {
    await toxiproxy.createProxy({ name, listen: `0.0.0.0:${p.listen}`, upstream: p.upstream });
  }
}

/**
 * A broker container as a server the broker nemesis can break: `kill` is a SIGKILL of the
 * container (its filesystem, so the data, stays); `restart` starts the same container again
 * and waits until it serves through its direct proxy.
 */
async function containerServer(
  name: ManagedServer['name'],
  container: StartedTestContainer,
  ready: () => Promise<void>,
): Promise<ManagedServer> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const handle = client.container.getById(container.getId());
  const hostPid = async () => (await client.container.inspect(handle)).State.Pid || undefined;
  let pid = await hostPid();
  let running = true;
  return {
    name,
    get pid() {
      return pid;
    },
    get running() {
      return running;
    },
    async kill() {
      running = false;
      await handle.kill({ signal: 'SIGKILL' });
    },
    async restart() {
      await container.restart();
      await ready();
      pid = await hostPid();
      running = true;
    },
  };
}

async function kafkaReady(endpoints: Endpoints): Promise<void> {
  const kafka = new Kafka({
    brokers: [endpoints.kafka.direct],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  });
  await waitUntil(
    'Kafka container',
    async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.controller !== null && cluster.brokers.length > 0;
      } finally {
        await admin.disconnect();
      }
    },
    { timeoutMs: 90000, intervalMs: 300 },
  );
}

async function pong(url: string): Promise<void> {
  await waitUntil(
    `Redis container ${url}`,
    async () => {
      const redis = new Redis(url, {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        return (await redis.ping()) === 'PONG';
      } finally {
        redis.disconnect();
      }
    },
    { timeoutMs: 30000 },
  );
}
