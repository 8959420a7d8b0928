import { ensureProxies, type ProxySpec } from './proxies.ts';
import { freePorts } from './ports.ts';
import type { Endpoints, Infra } from './types.ts';
// Types only: the module itself is loaded on demand, where Docker is used.
import type { StartedNetwork, StartedTestContainer } from 'testcontainers';

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

const IMAGES = {
  kafka: 'apache/kafka:4.4.0',
  redis: 'redis:7.4',
  toxiproxy: 'ghcr.io/shopify/toxiproxy:2.12.0',
};

type Testcontainers = typeof import('testcontainers');

/** Host ports, bound fixed: the proxies' ports are also the ports inside Toxiproxy. */
interface ContainerPorts {
  kafkaDirect: number;
  toxiproxyApi: number;
  kafkaProducer: number;
  kafkaWorkers: number;
  redisProducer: number;
  redisWorkers: number;
  sinkWorkers: number;
  redis: number;
  sink: number;
}

/**
 * The same topology as the local provider, in containers on one Docker network. Host ports
 * are chosen up front and bound fixed, because Kafka must advertise the proxies' host ports
 * before it starts.
 */
export async function startTestcontainersInfra(log?: (line: string) => void): Promise<Infra> {
  const tc = await import('testcontainers');
  log?.('testcontainers: starting Kafka, Redis x2 and Toxiproxy containers ...');
  const ports = await allocatePorts();
  const network = await new tc.Network().start();
  const started = await Promise.all([
    redisContainer(tc, network, 'redis', ports.redis),
    redisContainer(tc, network, 'sink', ports.sink),
    toxiproxyContainer(tc, network, ports),
    kafkaContainer(tc, network, ports),
  ]);
  const toxiproxyUrl = `http://127.0.0.1:${ports.toxiproxyApi}`;
  // Inside the container the proxies listen on all interfaces, so Docker can forward to them.
  await ensureProxies(toxiproxyUrl, proxySpecs(ports), '0.0.0.0');
  let stopping: Promise<void> | undefined;
  return {
    provider: 'testcontainers',
    endpoints: containerEndpoints(ports, toxiproxyUrl),
    versions: { kafka: IMAGES.kafka, redis: IMAGES.redis, toxiproxy: IMAGES.toxiproxy },
    servers: new Map(),
    pids: () => [],
    stop: () =>
      (stopping ??= (async () => {
        await Promise.allSettled(started.map((c) => c.stop()));
        await network.stop();
      })()),
  };
}

async function allocatePorts(): Promise<ContainerPorts> {
  const [
    kafkaDirect,
    toxiproxyApi,
    kafkaProducer,
    kafkaWorkers,
    redisProducer,
    redisWorkers,
    sinkWorkers,
    redis,
    sink,
  ] = await freePorts(9);
  return {
    kafkaDirect,
    toxiproxyApi,
    kafkaProducer,
    kafkaWorkers,
    redisProducer,
    redisWorkers,
    sinkWorkers,
    redis,
    sink,
  };
}

/** A durable Redis (AOF, fsync always, no eviction), as the local provider runs it. */
function redisContainer(
  tc: Testcontainers,
  network: StartedNetwork,
  alias: 'redis' | 'sink',
  hostPort: number,
): Promise<StartedTestContainer> {
  return new tc.GenericContainer(IMAGES.redis)
    .withNetwork(network)
    .withNetworkAliases(alias)
    .withCommand([
      'redis-server',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--maxmemory-policy',
      'noeviction',
    ])
    .withExposedPorts({ container: 6379, host: hostPort })
    .start();
}

/** Toxiproxy with its API and every proxy's listen port published on the same host port. */
function toxiproxyContainer(
  tc: Testcontainers,
  network: StartedNetwork,
  p: ContainerPorts,
): Promise<StartedTestContainer> {
  const proxyPorts = [
    p.kafkaProducer,
    p.kafkaWorkers,
    p.redisProducer,
    p.redisWorkers,
    p.sinkWorkers,
  ];
  return new tc.GenericContainer(IMAGES.toxiproxy)
    .withNetwork(network)
    .withNetworkAliases('toxiproxy')
    .withExposedPorts(
      { container: 8474, host: p.toxiproxyApi },
      ...proxyPorts.map((port) => ({ container: port, host: port })),
    )
    .withWaitStrategy(tc.Wait.forHttp('/version', 8474))
    .start();
}

/** Single-node KRaft Kafka advertising the direct port and the two proxied listeners. */
function kafkaContainer(
  tc: Testcontainers,
  network: StartedNetwork,
  p: ContainerPorts,
): Promise<StartedTestContainer> {
  return new tc.GenericContainer(IMAGES.kafka)
    .withNetwork(network)
    .withNetworkAliases('kafka')
    .withExposedPorts({ container: 9092, host: p.kafkaDirect })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9095',
      KAFKA_LISTENERS:
        'DIRECT://:9092,PRODUCER://:9093,WORKERS://:9094,CONTROLLER://:9095,INTERNAL://:9096',
      KAFKA_ADVERTISED_LISTENERS: `DIRECT://127.0.0.1:${p.kafkaDirect},PRODUCER://127.0.0.1:${p.kafkaProducer},WORKERS://127.0.0.1:${p.kafkaWorkers},INTERNAL://kafka:9096`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
        'DIRECT:PLAINTEXT,PRODUCER:PLAINTEXT,WORKERS:PLAINTEXT,CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS: '1000',
      KAFKA_HEAP_OPTS: '-Xmx512m',
    })
    .withWaitStrategy(tc.Wait.forLogMessage(/Kafka Server started/))
    .start();
}

/** Every link behind its own proxy: host port -> the container (by alias) it fronts. */
function proxySpecs(p: ContainerPorts): ProxySpec[] {
  return [
    { name: 'kafka-producer', listenPort: p.kafkaProducer, upstream: 'kafka:9093' },
    { name: 'kafka-workers', listenPort: p.kafkaWorkers, upstream: 'kafka:9094' },
    { name: 'redis-producer', listenPort: p.redisProducer, upstream: 'redis:6379' },
    { name: 'redis-workers', listenPort: p.redisWorkers, upstream: 'redis:6379' },
    { name: 'sink-workers', listenPort: p.sinkWorkers, upstream: 'sink:6379' },
  ];
}

function containerEndpoints(p: ContainerPorts, toxiproxyUrl: string): Endpoints {
  return {
    kafka: {
      direct: `127.0.0.1:${p.kafkaDirect}`,
      producer: `127.0.0.1:${p.kafkaProducer}`,
      workers: `127.0.0.1:${p.kafkaWorkers}`,
    },
    redis: {
      direct: `redis://127.0.0.1:${p.redis}`,
      producer: `redis://127.0.0.1:${p.redisProducer}`,
      workers: `redis://127.0.0.1:${p.redisWorkers}`,
    },
    sink: { direct: `redis://127.0.0.1:${p.sink}`, workers: `redis://127.0.0.1:${p.sinkWorkers}` },
    toxiproxy: { url: toxiproxyUrl },
  };
}
