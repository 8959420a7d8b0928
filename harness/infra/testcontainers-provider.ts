import { ensureProxies, type ProxySpec } from './proxies.ts';
import { freePorts } from './ports.ts';
import type { Endpoints, Infra } from './types.ts';

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

/**
 * The same topology as the local provider, in containers on one Docker network. Host ports
 * are chosen up front and bound fixed, because Kafka must advertise the proxies' host ports
 * before it starts.
 */
export async function startTestcontainersInfra(log?: (line: string) => void): Promise<Infra> {
  const { GenericContainer, Network, Wait } = await import('testcontainers');
  log?.('testcontainers: starting Kafka, Redis x2 and Toxiproxy containers ...');
  const [direct, toxiApi, kProducer, kWorkers, rProducer, rWorkers, sWorkers, redisPort, sinkPort] =
    await freePorts(9);
  const network = await new Network().start();
  const redisArgs = [
    'redis-server',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--maxmemory-policy',
    'noeviction',
  ];
  const started = await Promise.all([
    new GenericContainer(IMAGES.redis)
      .withNetwork(network)
      .withNetworkAliases('redis')
      .withCommand(redisArgs)
      .withExposedPorts({ container: 6379, host: redisPort })
      .start(),
    new GenericContainer(IMAGES.redis)
      .withNetwork(network)
      .withNetworkAliases('sink')
      .withCommand(redisArgs)
      .withExposedPorts({ container: 6379, host: sinkPort })
      .start(),
    new GenericContainer(IMAGES.toxiproxy)
      .withNetwork(network)
      .withNetworkAliases('toxiproxy')
      .withExposedPorts(
        { container: 8474, host: toxiApi },
        ...[kProducer, kWorkers, rProducer, rWorkers, sWorkers].map((port) => ({
          container: port,
          host: port,
        })),
      )
      .withWaitStrategy(Wait.forHttp('/version', 8474))
      .start(),
    new GenericContainer(IMAGES.kafka)
      .withNetwork(network)
      .withNetworkAliases('kafka')
      .withExposedPorts({ container: 9092, host: direct })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9095',
        KAFKA_LISTENERS:
          'DIRECT://:9092,PRODUCER://:9093,WORKERS://:9094,CONTROLLER://:9095,INTERNAL://:9096',
        KAFKA_ADVERTISED_LISTENERS: `DIRECT://127.0.0.1:${direct},PRODUCER://127.0.0.1:${kProducer},WORKERS://127.0.0.1:${kWorkers},INTERNAL://kafka:9096`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
          'DIRECT:PLAINTEXT,PRODUCER:PLAINTEXT,WORKERS:PLAINTEXT,CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS: '1000',
        KAFKA_HEAP_OPTS: '-Xmx512m',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start(),
  ]);
  const toxiproxyUrl = `http://127.0.0.1:${toxiApi}`;
  const specs: ProxySpec[] = [
    { name: 'kafka-producer', listenPort: kProducer, upstream: 'kafka:9093' },
    { name: 'kafka-workers', listenPort: kWorkers, upstream: 'kafka:9094' },
    { name: 'redis-producer', listenPort: rProducer, upstream: 'redis:6379' },
    { name: 'redis-workers', listenPort: rWorkers, upstream: 'redis:6379' },
    { name: 'sink-workers', listenPort: sWorkers, upstream: 'sink:6379' },
  ];
  // Inside the container the proxies listen on all interfaces, so Docker can forward to them.
  await ensureProxies(toxiproxyUrl, specs, '0.0.0.0');
  const endpoints: Endpoints = {
    kafka: {
      direct: `127.0.0.1:${direct}`,
      producer: `127.0.0.1:${kProducer}`,
      workers: `127.0.0.1:${kWorkers}`,
    },
    redis: {
      direct: `redis://127.0.0.1:${redisPort}`,
      producer: `redis://127.0.0.1:${rProducer}`,
      workers: `redis://127.0.0.1:${rWorkers}`,
    },
    sink: { direct: `redis://127.0.0.1:${sinkPort}`, workers: `redis://127.0.0.1:${sWorkers}` },
    toxiproxy: { url: toxiproxyUrl },
  };
  let stopping: Promise<void> | undefined;
  return {
    provider: 'testcontainers',
    endpoints,
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
