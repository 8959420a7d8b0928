import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { Toxiproxy } from 'toxiproxy-node-client';
import { withPlatformaticAdmin } from '../../lib/transports/kafka/platformatic/client.ts';
import { ensurePlatformaticTopics } from '../../lib/transports/kafka/platformatic/topics.ts';
import { ensureKafkaTopics } from '../../lib/transports/kafka/topics.ts';
import type { Infra } from '../../harness/infra/index.ts';
import { clusterProxyNames } from '../../harness/infra/cluster-layout.ts';
import { kafkaRoundTrip, redisRoundTrip } from '../../harness/infra/round-trip.ts';
import { redisPrimary } from '../../harness/nemesis/redis-roles.ts';
import { stopSharedCluster, useClusterInfra } from '../support/infra.ts';
import { waitForExit } from '../support/processes.ts';

/** Resident memory of a process in MB, from /proc. */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

function kafkaAt(brokers: string): Kafka {
  return new Kafka({
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    clientId: 'cluster',
  });
}

/**
 * On the shared cluster, after whatever ran on it (npm test runs this file last): the cluster
 * is checked as the scenarios leave it, then stopped.
 */
describe('cluster topology (3 KRaft nodes, Redis primary + replica + 3 Sentinels)', function () {
  const sharedCluster = useClusterInfra();
  let infra: Infra;

  before(() => {
    infra = sharedCluster();
  });

  /** RF 3, min ISR 2 and no unclean election on `topic`, as the brokers' defaults give it. */
  async function expectReplicated(admin: Admin, topic: string): Promise<void> {
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(meta?.partitions).to.have.length(6);
    for (const p of meta?.partitions ?? []) {
      expect(p.replicas, `replicas of ${topic}-${p.partitionId}`).to.have.length(3);
      expect(p.isr, `ISR of ${topic}-${p.partitionId}`).to.have.length(3);
    }
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    const entries = new Map(
      described.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]),
    );
    expect(entries.get('min.insync.replicas'), topic).to.equal('2');
    expect(entries.get('unclean.leader.election.enable'), topic).to.equal('false');
  }

  it('has three brokers, and the topics of both clients get RF 3, min ISR 2, no unclean elections', async function () {
    this.timeout(60000);
    const admin = kafkaAt(infra.endpoints.kafka.direct).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => b.nodeId).sort()).to.deep.equal([1, 2, 3]);
      await ensureKafkaTopics(admin, { topic: 'events', partitions: 6 });
      await expectReplicated(admin, 'events');
      // The other client asks for the brokers' default replication as well.
      const brokers = infra.endpoints.kafka.direct.split(',');
      await withPlatformaticAdmin({ brokers, clientId: 'cluster' }, (a) =>
        ensurePlatformaticTopics(a, { topic: 'events-platformatic', partitions: 6 }),
      );
      await expectReplicated(admin, 'events-platformatic');
    } finally {
      await admin.disconnect();
    }
  });

  it('Sentinels agree on one primary with one replica in sync', async function () {
    this.timeout(30000);
    const s = infra.endpoints.redis.sentinel;
    expect(s, 'sentinel endpoints').to.not.equal(undefined);
    if (!s) return;
    const primaries = new Set<string>();
    for (const address of s.sentinels) {
      const [host, port] = address.split(':');
      const sentinel = new Redis({ host, port: Number(port), lazyConnect: true });
      await sentinel.connect();
      try {
        const addr = (await sentinel.call(
          'SENTINEL',
          'get-master-addr-by-name',
          s.name,
        )) as string[];
        primaries.add(addr.join(':'));
        const replicas = (await sentinel.call('SENTINEL', 'replicas', s.name)) as unknown[];
        expect(replicas, `replicas seen by ${address}`).to.have.length(1);
      } finally {
        sentinel.disconnect();
      }
    }
    expect([...primaries]).to.have.length(1);
    const [primary] = [...primaries];
    // A failover scenario may have moved the primary to the other node.
    expect(s.natMap.direct, 'the primary is a node of the cluster').to.have.property(primary ?? '');
    const viaSentinel = new Redis({
      sentinels: s.sentinels.map((a) => ({ host: '127.0.0.1', port: Number(a.split(':')[1]) })),
      name: s.name,
      natMap: natMap(s.natMap.direct),
      lazyConnect: true,
    });
    await viaSentinel.connect();
    try {
      const info = await viaSentinel.info('replication');
      expect(info).to.match(/role:master/);
      expect(info).to.match(/connected_slaves:1/);
      expect(info).to.match(/slave0:.*state=online/);
    } finally {
      viaSentinel.disconnect();
    }
  });

  it('every link proxy exists, and client round trips pass through them', async function () {
    this.timeout(180000);
    const proxies = await new Toxiproxy(infra.endpoints.toxiproxy.url).getAll();
    expect(Object.keys(proxies).sort()).to.deep.equal(clusterProxyNames().sort());
    const e = infra.endpoints;
    for (const group of [e.kafka.producer, e.kafka.workers]) {
      for (const node of group.split(',')) {
        const admin = kafkaAt(node).admin();
        await admin.connect();
        expect((await admin.describeCluster()).brokers).to.have.length(3);
        await admin.disconnect();
      }
      expect(await kafkaRoundTrip(group)).to.be.a('number');
    }
    // Writes go through the proxies of whichever node is primary now (a failover scenario
    // may have moved it); every node's client proxies answer.
    const { announced } = await redisPrimary(infra);
    const nat = e.redis.sentinel?.natMap;
    for (const to of [nat?.producer[announced], nat?.workers[announced]])
      expect(await redisRoundTrip(`redis://${String(to)}`)).to.be.a('number');
    expect(await redisRoundTrip(e.sink.workers)).to.be.a('number');
    for (const [, to] of Object.entries({ ...e.redis.sentinel?.natMap.producer })) {
      const r = new Redis(`redis://${to}`, { lazyConnect: true, maxRetriesPerRequest: 0 });
      await r.connect();
      expect(await r.ping()).to.equal('PONG');
      r.disconnect();
    }
  });

  it('each Kafka node runs in at most 384 MB of heap; RSS per node is reported', function () {
    const lines: string[] = [];
    for (const [name, server] of infra.servers) {
      if (server.pid === undefined) continue;
      lines.push(`${name} ${rssMb(server.pid)} MB`);
      if (!name.startsWith('kafka-')) continue;
      const cmdline = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0');
      const xmx = cmdline.find((a) => a.startsWith('-Xmx'));
      expect(Number(/-Xmx(\d+)m/.exec(xmx ?? '')?.[1])).to.be.at.most(384);
    }
    process.stderr.write(`      RSS: ${lines.join(', ')}\n`);
  });

  it('stop() leaves no spawned process behind', async function () {
    this.timeout(60000);
    const pids = infra.pids();
    expect(pids).to.have.length(10);
    await stopSharedCluster();
    expect(await waitForExit(pids, 10000)).to.deep.equal([]);
  });
});

function natMap(m: Record<string, string>): Record<string, { host: string; port: number }> {
  return Object.fromEntries(
    Object.entries(m).map(([from, to]) => [
      from,
      { host: to.split(':')[0] ?? '', port: Number(to.split(':')[1]) },
    ]),
  );
}
