import { expect } from 'chai';
import { parseScenarioArgs } from '../../harness/cli/scenario-args.ts';
import {
  clusterPortCount,
  clusterPorts,
  clusterProxySpecs,
  kafkaNodeSettings,
  kafkaPeerProxy,
  redisNatMap,
  redisPeerProxy,
} from '../../harness/infra/cluster-layout.ts';
import { validateScenario } from '../../harness/validate-scenario.ts';
import { SCENARIOS, SCENARIO_NAMES } from '../../scenarios/index.ts';

const ports = clusterPorts(Array.from({ length: clusterPortCount() }, (_, i) => 20000 + i));

describe('cluster topology layout', () => {
  it('gives every server and proxy its own port', () => {
    const specs = clusterProxySpecs(ports);
    const listen = specs.map((s) => s.listenPort);
    expect(new Set(listen).size).to.equal(listen.length);
    expect(Math.max(...listen)).to.be.below(20000 + clusterPortCount());
  });

  it('routes every follower fetch and controller link of a node through its own proxies', () => {
    const s = kafkaNodeSettings(ports, 2);
    const specs = new Map(clusterProxySpecs(ports).map((p) => [p.name, p]));
    expect(s['node.id']).to.equal('2');
    expect(s['inter.broker.listener.name']).to.equal('REPLICATION_2');
    // Node 1 fetches from node 2 on REPLICATION_1, advertised at the 1 -> 2 proxy.
    const advertised = s['advertised.listeners'] ?? '';
    const viaProxy = specs.get(kafkaPeerProxy('replication', 1, 2))?.listenPort;
    expect(advertised).to.contain(`REPLICATION_1://127.0.0.1:${viaProxy}`);
    const toNode3 = specs.get(kafkaPeerProxy('controller', 2, 3));
    expect(s['controller.quorum.voters']).to.contain(`3@127.0.0.1:${toNode3?.listenPort}`);
    expect(toNode3?.upstream).to.equal(`127.0.0.1:${ports.kafka[2]?.controller[1]}`);
    // The Raft leader is fetched from at the address it advertises: node 1's is the 1 -> 2 proxy.
    const raftVia = specs.get(kafkaPeerProxy('controller', 1, 2))?.listenPort;
    expect(advertised).to.contain(`CONTROLLER_1://127.0.0.1:${raftVia}`);
    expect(s['controller.listener.names']?.split(',')[0]).to.equal('CONTROLLER_2');
    expect(s['min.insync.replicas']).to.equal('2');
    expect(s['unclean.leader.election.enable']).to.equal('false');
    expect(s['offsets.topic.replication.factor']).to.equal('3');
  });

  it('maps the address Sentinel reports for a node to each client group own proxy', () => {
    const specs = new Map(clusterProxySpecs(ports).map((p) => [p.name, p]));
    const peer = `127.0.0.1:${specs.get(redisPeerProxy(2))?.listenPort}`;
    expect(redisNatMap(ports, 'producer')[peer]).to.equal(
      `127.0.0.1:${specs.get('redis-producer-2')?.listenPort}`,
    );
    expect(redisNatMap(ports, 'direct')[peer]).to.equal(`127.0.0.1:${ports.redis[1]}`);
  });

  it('is chosen by --topology or scenario data, and nothing else', () => {
    const r = parseScenarioArgs(['smoke', '--topology', 'cluster'], SCENARIO_NAMES);
    expect(r.kind === 'run' && r.args.topology).to.equal('cluster');
    expect(parseScenarioArgs(['smoke', '--topology', 'triple'], SCENARIO_NAMES).kind).to.equal(
      'error',
    );
    const smoke = SCENARIOS.find((s) => s.name === 'smoke');
    if (!smoke) throw new Error('no smoke scenario');
    expect(validateScenario({ ...smoke, infra: 'cluster' })).to.deep.equal([]);
    expect(validateScenario({ ...smoke, infra: 'triple' as 'cluster' })).to.deep.equal([
      'infra: one of single, cluster, got "triple"',
    ]);
  });
});
