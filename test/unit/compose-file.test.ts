import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import {
  KAFKA_BROKER_SETTINGS,
  kafkaImageEnv,
  REDIS_SERVER_ARGS,
} from '../../harness/infra/broker-settings.ts';
import { composeFiles, GENERATED_FILES } from '../../harness/infra/compose-file.ts';
import { serverProperties } from '../../harness/infra/kafka-server.ts';
import { REPO_ROOT } from '../../harness/infra/paths.ts';

interface Service {
  image: string;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

describe('docker compose files, generated from the shared broker settings', () => {
  let files: Awaited<ReturnType<typeof composeFiles>>;
  let services: Record<string, Service>;
  before(async () => {
    files = await composeFiles();
    services = (parse(files['docker-compose.yml']) as { services: Record<string, Service> })
      .services;
  });

  for (const name of GENERATED_FILES) {
    it(`${name} is what npm run compose:generate writes (no drift)`, async () => {
      const committed = await readFile(join(REPO_ROOT, name), 'utf8');
      expect(committed, `run npm run compose:generate and commit ${name}`).to.equal(files[name]);
    });
  }

  it('every service has a health check, so `docker compose up -d --wait` waits for ready', () => {
    expect(Object.keys(services)).to.include.members(['kafka', 'redis', 'sink', 'toxiproxy']);
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test.length ?? 0, name).to.be.greaterThan(1);
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(condition, `${name} -> ${dep}`).to.equal('service_healthy');
      }
    }
  });

  it('the producer and the workers are behind the app profile; the brokers are not', () => {
    const app = Object.keys(services).filter((n) => services[n]?.profiles?.includes('app'));
    expect(app).to.have.members(['producer', 'workers-kafka', 'workers-redis', 'workers-bullmq']);
    for (const name of ['kafka', 'redis', 'sink', 'toxiproxy']) {
      expect(services[name]?.profiles, name).to.equal(undefined);
    }
  });

  it('Kafka and Redis get the settings the local provider gives its servers', () => {
    const local = serverProperties(
      { direct: 1, producer: 2, workers: 3, controller: 4, producerProxy: 5, workersProxy: 6 },
      '/data',
    ).split('\n');
    const env = services.kafka?.environment ?? {};
    for (const [key, value] of Object.entries(KAFKA_BROKER_SETTINGS)) {
      expect(local, key).to.include(`${key}=${value}`);
      expect(env[`KAFKA_${key.replace(/\./g, '_').toUpperCase()}`], key).to.equal(value);
    }
    expect(services.redis?.command).to.deep.equal(['redis-server', ...REDIS_SERVER_ARGS]);
    expect(services.sink?.command).to.deep.equal(['redis-server', ...REDIS_SERVER_ARGS]);
  });

  it('keeps the local broker exactly as it was configured before the settings were shared', () => {
    const props = serverProperties(
      { direct: 1, producer: 2, workers: 3, controller: 4, producerProxy: 5, workersProxy: 6 },
      '/data',
    );
    expect(props.trim().split('\n').sort()).to.deep.equal(
      [
        'process.roles=broker,controller',
        'node.id=1',
        'controller.quorum.bootstrap.servers=127.0.0.1:4',
        'listeners=DIRECT://127.0.0.1:1,PRODUCER://127.0.0.1:2,WORKERS://127.0.0.1:3,CONTROLLER://127.0.0.1:4',
        'advertised.listeners=DIRECT://127.0.0.1:1,PRODUCER://127.0.0.1:5,WORKERS://127.0.0.1:6',
        'listener.security.protocol.map=DIRECT:PLAINTEXT,PRODUCER:PLAINTEXT,WORKERS:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=DIRECT',
        'log.dirs=/data',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=10',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'group.min.session.timeout.ms=1000',
        'num.partitions=1',
      ].sort(),
    );
  });

  it("maps property names to the apache/kafka image's variables", () => {
    expect(kafkaImageEnv({ 'a.b_c-d': 'v', 'node.id': '1' })).to.deep.equal({
      KAFKA_A_B__C___D: 'v',
      KAFKA_NODE_ID: '1',
    });
  });
});
