import { PROXIES, type ProxyName } from '../../lib/links.ts';

/**
 * What every infrastructure provider (local, external, testcontainers) hands back.
 * Addresses are host:port for Kafka and redis:// URLs for Redis.
 */
export interface Endpoints {
  kafka: {
    /** Unproxied listener for the harness (admin, checker); never faulted. */
    direct: string;
    /** Through Toxiproxy `kafka-producer`. */
    producer: string;
    /** Through Toxiproxy `kafka-workers`. */
    workers: string;
  };
  redis: {
    direct: string;
    producer: string;
    workers: string;
    /** Cluster topology: find the primary through Sentinel (the URLs name the first one). */
    sentinel?: SentinelEndpoints;
  };
  sink: { direct: string; workers: string };
  toxiproxy: { url: string };
}

export { PROXIES, type ProxyName };

/** How each client group finds the Redis primary on the cluster (ioredis `sentinels`). */
export interface SentinelEndpoints {
  /** The monitored primary's name. */
  name: string;
  /** host:port of every Sentinel; clients reach them without a proxy. */
  sentinels: string[];
  /** The address Sentinel reports per node -> the group's proxy to that node (`natMap`). */
  natMap: Record<'direct' | 'producer' | 'workers', Record<string, string>>;
}

/** Single servers, and the nodes of the cluster topology. */
export type ServerName =
  | 'kafka'
  | 'redis'
  | 'sink'
  | 'toxiproxy'
  | `kafka-${number}`
  | `redis-${number}`
  | `sentinel-${number}`;

/** A server the provider started and can break on purpose (broker nemesis). */
export interface ManagedServer {
  readonly name: ServerName;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Its loopback port, where it has one of its own (the Redis nodes: role faults map
   * Sentinel's answer to a node by it). */
  readonly port?: number;
  /** Where its output goes, for providers that keep one on this machine. */
  readonly logFile?: string;
  /** SIGKILL the server's whole process group; data on disk stays. */
  kill(): Promise<void>;
  /** Start it again on the same ports and data dir, and wait until it is ready. */
  restart(): Promise<void>;
}

export interface Infra {
  readonly provider: 'local' | 'external' | 'testcontainers';
  /** `cluster`: three Kafka nodes, a Redis primary, a replica and three Sentinels. */
  readonly topology: Topology;
  readonly endpoints: Endpoints;
  readonly versions: { kafka: string; redis: string; toxiproxy: string };
  /** Servers that can be killed and restarted; empty for external infrastructure. */
  readonly servers: ReadonlyMap<ManagedServer['name'], ManagedServer>;
  /** Every pid the provider spawned (for orphan checks). */
  pids(): number[];
  /** Idempotent; stops every spawned process. */
  stop(): Promise<void>;
}

export const TOPOLOGIES = ['single', 'cluster'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** The NAME=value lines that point the producer, the workers and the harness at `e`. */
export function endpointsToEnv(e: Endpoints): Record<string, string> {
  return {
    KAFKA_BROKERS: e.kafka.direct,
    KAFKA_PRODUCER_BROKERS: e.kafka.producer,
    KAFKA_WORKERS_BROKERS: e.kafka.workers,
    REDIS_URL: e.redis.direct,
    REDIS_PRODUCER_URL: e.redis.producer,
    REDIS_WORKERS_URL: e.redis.workers,
    SINK_REDIS_URL: e.sink.direct,
    SINK_WORKERS_URL: e.sink.workers,
    TOXIPROXY_URL: e.toxiproxy.url,
    ...sentinelEnv(e.redis.sentinel),
  };
}

/** `a=b,c=d` as the *_NAT_MAP variables spell a natMap. */
const pairList = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([from, to]) => `${from}=${to}`)
    .join(',');

function sentinelEnv(s: SentinelEndpoints | undefined): Record<string, string> {
  if (!s) return {};
  return {
    REDIS_SENTINELS: s.sentinels.join(','),
    REDIS_SENTINEL_NAME: s.name,
    REDIS_NAT_MAP: pairList(s.natMap.direct),
    REDIS_PRODUCER_NAT_MAP: pairList(s.natMap.producer),
    REDIS_WORKERS_NAT_MAP: pairList(s.natMap.workers),
    // Replicated Redis: a publish is acknowledged once the replica has it too.
    REDIS_WAIT_REPLICAS: '1',
  };
}
