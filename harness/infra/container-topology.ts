import type { ProxyName } from '../../lib/links.ts';
import {
  KAFKA_CONTAINER_HEAP,
  kafkaImageEnv,
  kafkaSettings,
  REDIS_SERVER_ARGS,
} from './broker-settings.ts';
import { kafkaVersion } from './kafka-server.ts';
import { TOXIPROXY_VERSION } from './toxiproxy-server.ts';

/**
 * The topology of the Docker paths (docker-compose.yml and the testcontainers provider):
 * the brokers and Toxiproxy on one container network, found by their service names, every
 * client link through a Toxiproxy listener. Ports here are inside the containers; how they
 * reach the host is each path's business (fixed in compose, Docker's choice in testcontainers).
 */

/** Container ports of the Kafka listeners. */
export const KAFKA_PORTS = {
  DIRECT: 9092,
  PRODUCER: 9093,
  WORKERS: 9094,
  CONTROLLER: 9095,
  INTERNAL: 9096,
} as const;

export const REDIS_PORT = 6379;
export const TOXIPROXY_API_PORT = 8474;

/** The link proxies: where Toxiproxy listens in its container, and the service behind it. */
export const LINK_PROXIES: Readonly<Record<ProxyName, { listen: number; upstream: string }>> = {
  'kafka-producer': { listen: 19092, upstream: `kafka:${KAFKA_PORTS.PRODUCER}` },
  'kafka-workers': { listen: 29092, upstream: `kafka:${KAFKA_PORTS.WORKERS}` },
  'redis-producer': { listen: 16379, upstream: `redis:${REDIS_PORT}` },
  'redis-workers': { listen: 26379, upstream: `redis:${REDIS_PORT}` },
  'sink-workers': { listen: 26380, upstream: `sink:${REDIS_PORT}` },
};

/** What the brokers advertise to the host, `host:port` each. */
export interface KafkaAdvertised {
  direct: string;
  producer: string;
  workers: string;
}

/** The apache/kafka container's environment; `advertised` are host-side addresses. */
export function kafkaContainerEnv(advertised: KafkaAdvertised): Record<string, string> {
  const any = (port: number) => `:${port}`;
  const settings = kafkaSettings({
    listeners: {
      DIRECT: any(KAFKA_PORTS.DIRECT),
      PRODUCER: any(KAFKA_PORTS.PRODUCER),
      WORKERS: any(KAFKA_PORTS.WORKERS),
      CONTROLLER: any(KAFKA_PORTS.CONTROLLER),
      INTERNAL: any(KAFKA_PORTS.INTERNAL),
    },
    advertised: {
      DIRECT: advertised.direct,
      PRODUCER: advertised.producer,
      WORKERS: advertised.workers,
      INTERNAL: `kafka:${KAFKA_PORTS.INTERNAL}`,
    },
    interBroker: 'INTERNAL',
    quorum: { 'controller.quorum.voters': `1@kafka:${KAFKA_PORTS.CONTROLLER}` },
  });
  return { ...kafkaImageEnv(settings), KAFKA_HEAP_OPTS: KAFKA_CONTAINER_HEAP };
}

/** The redis image's command, for the broker and the sink alike. */
export const REDIS_COMMAND: readonly string[] = ['redis-server', ...REDIS_SERVER_ARGS];

/** The images: the Kafka release the pom pins, the Toxiproxy release the local provider builds. */
export async function containerImages(): Promise<{
  kafka: string;
  redis: string;
  toxiproxy: string;
}> {
  return {
    kafka: `apache/kafka:${await kafkaVersion()}`,
    redis: 'redis:7.4',
    toxiproxy: `ghcr.io/shopify/toxiproxy:${TOXIPROXY_VERSION.replace(/^v/, '')}`,
  };
}

/** Health checks that need nothing but the image itself (toxiproxy's image has no shell). */
export const HEALTHCHECKS = {
  kafka: [
    'CMD-SHELL',
    `/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server 127.0.0.1:${KAFKA_PORTS.DIRECT} >/dev/null 2>&1`,
  ],
  redis: ['CMD-SHELL', 'redis-cli ping | grep -q PONG'],
  // Answers once the API is up and the configured proxies exist.
  toxiproxy: ['CMD', '/toxiproxy-cli', 'inspect', 'sink-workers'],
} as const;
