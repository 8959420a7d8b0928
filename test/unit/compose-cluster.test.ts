import { expect } from 'chai';
import { parse } from 'yaml';
import { KAFKA_CLUSTER_SETTINGS, SENTINEL_SETTINGS } from '../../harness/infra/broker-settings.ts';
import { SENTINEL_MASTER } from '../../harness/infra/cluster-layout.ts';
import { composeFiles } from '../../harness/infra/compose-file.ts';
import { loadConfig } from '../../lib/config.ts';

interface Service {
  image: string;
  profiles?: string[];
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const CLUSTER = [
  'kafka-1',
  'kafka-2',
  'kafka-3',
  'redis-primary',
  'redis-replica',
  'sentinel-1',
  'sentinel-2',
  'sentinel-3',
];

/** `KEY=value` lines of an env file, comments skipped. */
const envLines = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  ) as Record<string, string>;

describe('docker compose cluster profile', () => {
  let files: Awaited<ReturnType<typeof composeFiles>>;
  let services: Record<string, Service>;
  const service = (name: string): Service => {
    const s = services[name];
    if (!s) throw new Error(`no service ${name}`);
    return s;
  };
  before(async () => {
    files = await composeFiles();
    services = (parse(files['docker-compose.yml']) as { services: Record<string, Service> })
      .services;
  });

  it('has exactly the cluster services in the cluster profile, each with a health check', () => {
    const inProfile = Object.keys(services).filter((n) =>
      services[n]?.profiles?.includes('cluster'),
    );
    expect(inProfile).to.have.members(CLUSTER);
    for (const name of CLUSTER) {
      expect(service(name).profiles, name).to.deep.equal(['cluster']);
      expect(service(name).healthcheck?.test.length ?? 0, name).to.be.greaterThan(1);
      for (const [dep, { condition }] of Object.entries(service(name).depends_on ?? {})) {
        expect(condition, `${name} -> ${dep}`).to.equal('service_healthy');
      }
    }
  });

  it('runs three KRaft nodes of the single image, replicated like the local cluster', () => {
    const voters = '1@kafka-1:9095,2@kafka-2:9095,3@kafka-3:9095';
    for (const n of [1, 2, 3]) {
      const s = service(`kafka-${n}`);
      const env = s.environment ?? {};
      expect(s.image).to.equal(service('kafka').image);
      expect(env.KAFKA_NODE_ID).to.equal(String(n));
      expect(env.KAFKA_PROCESS_ROLES).to.equal('broker,controller');
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).to.equal(voters);
      expect(env.KAFKA_DEFAULT_REPLICATION_FACTOR).to.equal('3');
      expect(env.KAFKA_MIN_INSYNC_REPLICAS).to.equal('2');
      expect(env.KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE).to.equal('false');
      for (const [key, value] of Object.entries(KAFKA_CLUSTER_SETTINGS)) {
        expect(env[`KAFKA_${key.replace(/\./g, '_').toUpperCase()}`], key).to.equal(value);
      }
      const heapMb = Number(/-Xmx(\d+)m/.exec(env.KAFKA_HEAP_OPTS ?? '')?.[1]);
      expect(heapMb).to.be.within(1, 384);
    }
    const ids = [1, 2, 3].map((n) => service(`kafka-${n}`).environment?.CLUSTER_ID);
    expect(new Set(ids).size).to.equal(1);
  });

  it('replicates Redis and has three Sentinels monitor the primary with quorum 2', () => {
    const primary = service('redis-primary').command ?? [];
    const replica = service('redis-replica').command ?? [];
    expect(primary).to.not.include('--replicaof');
    expect(replica.join(' ')).to.include('--replicaof redis-primary 6379');
    for (const command of [primary, replica]) {
      expect(command.join(' ')).to.include('--min-replicas-to-write 1');
    }
    const conf = files['infra/sentinel.conf'];
    const s = SENTINEL_SETTINGS;
    expect(s.quorum).to.equal(2);
    expect(conf).to.include(`sentinel monitor ${SENTINEL_MASTER} redis-primary 6379 2\n`);
    expect(conf).to.include(`down-after-milliseconds ${SENTINEL_MASTER} ${s.downAfterMs}\n`);
    expect(conf).to.include(`failover-timeout ${SENTINEL_MASTER} ${s.failoverTimeoutMs}\n`);
    for (const n of [1, 2, 3]) {
      const sentinel = service(`sentinel-${n}`);
      expect(sentinel.volumes).to.deep.equal(['./infra/sentinel.conf:/etc/redis/sentinel.conf:ro']);
      expect(sentinel.command?.join(' ')).to.include('--sentinel');
      expect(Object.keys(sentinel.depends_on ?? {})).to.have.members([
        'redis-primary',
        'redis-replica',
      ]);
    }
  });

  it('publishes host ports distinct from the single profile, so both can run', () => {
    const hostPorts = (names: string[]) =>
      names.flatMap((n) => (service(n).ports ?? []).map((p) => p.split(':')[0]));
    const single = Object.keys(services).filter((n) => services[n]?.profiles === undefined);
    const cluster = hostPorts(CLUSTER);
    expect(new Set(cluster).size).to.equal(cluster.length);
    for (const p of hostPorts(single)) expect(cluster, p).to.not.include(p);
  });

  it('names the cluster in infra/compose-cluster.env, which the configuration accepts', () => {
    const env = envLines(files['infra/compose-cluster.env']);
    expect(env.KAFKA_BROKERS).to.equal('127.0.0.1:9192,127.0.0.1:9193,127.0.0.1:9194');
    expect(env.REDIS_SENTINEL_NAME).to.equal(SENTINEL_MASTER);
    expect(env.REDIS_WAIT_REPLICAS).to.equal('1');
    const config = loadConfig(env);
    expect(config.kafka.brokers).to.have.length(3);
    expect(config.redis.sentinels).to.deep.equal([
      '127.0.0.1:26479',
      '127.0.0.1:26480',
      '127.0.0.1:26481',
    ]);
    // Sentinel reports the names the nodes announce; the host reaches their published ports.
    expect(config.redis.natMap).to.deep.equal({
      'redis-primary:6379': '127.0.0.1:6479',
      'redis-replica:6379': '127.0.0.1:6480',
    });
  });
});
