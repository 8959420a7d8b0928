import { expect } from 'chai';
import {
  clusterHealthProblems,
  parseReplication,
  type ClusterHealth,
} from '../../harness/cluster-health.ts';

const INFO = [
  '# Replication',
  'role:master',
  'connected_slaves:1',
  'slave0:ip=127.0.0.1,port=4012,state=online,offset=9876,lag=0',
  'master_repl_offset:9876',
  '',
].join('\r\n');

const whole: ClusterHealth = {
  kafkaNodes: 3,
  partitions: [
    { topic: 'events', partition: 0, leader: 1, isr: [1, 2, 3] },
    { topic: 'events', partition: 1, leader: 2, isr: [1, 2, 3] },
  ],
  kafkaSilent: [],
  sentinelPrimaries: ['127.0.0.1:5001', '127.0.0.1:5001', '127.0.0.1:5001'],
  primary: parseReplication(INFO),
  expectedReplicas: 1,
};

describe('healed state of the cluster', () => {
  it('reads a primary INFO replication', () => {
    expect(parseReplication(INFO)).to.deep.equal({
      role: 'master',
      offset: 9876,
      replicas: [{ state: 'online', offset: 9876 }],
    });
  });

  it('a whole cluster has no problems', () => {
    expect(clusterHealthProblems(whole)).to.deep.equal([]);
  });

  it('names every way the cluster is not whole', () => {
    const broken: ClusterHealth = {
      ...whole,
      partitions: [
        { topic: 'events', partition: 0, leader: -1, isr: [1] },
        { topic: 'events', partition: 1, leader: 2, isr: [2, 3] },
      ],
      kafkaSilent: [3],
      sentinelPrimaries: ['127.0.0.1:5001', '127.0.0.1:5002', ''],
      primary: { role: 'master', offset: 100, replicas: [{ state: 'online', offset: 90 }] },
    };
    expect(clusterHealthProblems(broken)).to.deep.equal([
      'kafka nodes 3 do not answer',
      'events-0 has no leader',
      'events-0 ISR [1], not all 3',
      'events-1 ISR [2,3], not all 3',
      'the Sentinels name 127.0.0.1:5001 / 127.0.0.1:5002 / none as primary',
      'redis replica at offset 90, primary at 100',
    ]);
  });

  it('a primary without its replica, or one that is a replica, is not whole', () => {
    const alone = { ...whole, primary: { role: 'master', offset: 5, replicas: [] } };
    expect(clusterHealthProblems(alone)).to.deep.equal([
      'redis primary has 0 of 1 replicas online',
    ]);
    const demoted = { ...whole, primary: { role: 'slave', offset: 5, replicas: [] } };
    expect(clusterHealthProblems(demoted)).to.deep.equal([
      'the node the Sentinels name is a slave',
    ]);
    const unread: ClusterHealth = { ...whole };
    delete unread.primary;
    expect(clusterHealthProblems(unread)).to.deep.equal(['the Redis primary is unreadable']);
  });
});
