import { expect } from 'chai';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../lib/config.ts';
import type { EventEnvelope } from '../../lib/envelope.ts';
import { IndeterminateError, NotSentError } from '../../lib/errors.ts';
import { createBullmqPublisher } from '../../lib/transports/bullmq/publisher.ts';
import { createRedisPublisher } from '../../lib/transports/redis/publisher.ts';
import { isolatedNames } from '../../lib/transports/registry.ts';
import type { Publisher } from '../../lib/transports/types.ts';
import { endpointsToEnv, type Infra, type ManagedServer } from '../../harness/infra/index.ts';
import { redisPrimary } from '../../harness/nemesis/redis-roles.ts';
import { useClusterInfra } from '../support/infra.ts';

let seq = 0;
const events = (n: number): EventEnvelope[] =>
  Array.from({ length: n }, () => ({
    id: `cluster-redis-${++seq}`,
    type: 'test.cluster',
    payload: { seq },
    producedAt: new Date().toISOString(),
  }));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Publishes until one succeeds (a client finding the new primary), bounded in time. */
async function publishUntilOk(publisher: Publisher, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (let i = 0; i < 200 && Date.now() - started < timeoutMs; i++) {
    try {
      await publisher.publish(events(1));
      return Date.now() - started;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no publish succeeded within ${timeoutMs} ms`);
}

function pidOf(server: ManagedServer): number {
  if (server.pid === undefined) throw new Error(`${server.name} is not running`);
  return server.pid;
}

/**
 * On the shared cluster, after whatever ran before: the Sentinels say which node is the
 * primary (a failover scenario may have moved it), and the replica is the other one.
 */
describe('replicated Redis: Sentinel clients and WAIT (cluster topology)', function () {
  const sharedCluster = useClusterInfra();
  let infra: Infra;
  let config: Config;
  const publishers: Publisher[] = [];

  before(function () {
    infra = sharedCluster();
    config = loadConfig({
      ...process.env,
      ...endpointsToEnv(infra.endpoints),
      // Its own stream and queue on the shared cluster.
      ...isolatedNames(`redis-clients-${Date.now()}`),
      PRODUCER_ACK_TIMEOUT_MS: '1500',
    });
  });

  after(async function () {
    this.timeout(60000);
    await Promise.allSettled(publishers.map((p) => p.close()));
  });

  async function roles(): Promise<{ primary: ManagedServer; replica: ManagedServer }> {
    const { server: primary } = await redisPrimary(infra);
    const replica = [...infra.servers.values()].find(
      (s) => /^redis-\d+$/.test(s.name) && s !== primary,
    );
    if (!replica) throw new Error('no Redis replica');
    return { primary, replica };
  }

  const ready = async (publisher: Publisher) => {
    publishers.push(publisher);
    for (let i = 0; i < 100 && !publisher.isReady(); i++)
      await new Promise((r) => setTimeout(r, 100));
    return publisher;
  };

  it('acknowledges a publish once the replica has it, on both Redis transports', async function () {
    expect(config.redis.waitReplicas).to.equal(1);
    const redis = await ready(createRedisPublisher(config));
    const bullmq = await ready(createBullmqPublisher(config));
    await redis.publish(events(3));
    await bullmq.publish(events(3));
    const { replica: node } = await roles();
    const replica = new Redis(`redis://127.0.0.1:${String(node.port)}`);
    try {
      expect(await replica.xlen(config.redis.stream)).to.equal(3);
      expect(await replica.info('replication')).to.match(/role:slave/);
    } finally {
      replica.disconnect();
    }
  });

  it('a stalled replica makes a publish 504 (WAIT short), then 503 (NOREPLICAS)', async function () {
    this.timeout(60000);
    const publisher = await ready(createRedisPublisher(config));
    const { replica } = await roles();
    process.kill(pidOf(replica), 'SIGSTOP');
    try {
      const late = await rejection(publisher.publish(events(1)));
      expect(late, String(late)).to.be.instanceOf(IndeterminateError);
      // Past min-replicas-max-lag (3 s) the primary refuses writes outright.
      let refused: unknown;
      for (let i = 0; i < 20 && !(refused instanceof NotSentError); i++) {
        await new Promise((r) => setTimeout(r, 500));
        refused = await rejection(publisher.publish(events(1)));
      }
      expect(refused, String(refused)).to.be.instanceOf(NotSentError);
    } finally {
      process.kill(pidOf(replica), 'SIGCONT');
    }
    await publishUntilOk(publisher, 20000);
  });

  it('follows a failover to the replica, and back to WAIT once the old primary returns', async function () {
    this.timeout(90000);
    const publisher = await ready(createRedisPublisher(config));
    await publisher.publish(events(1));
    const { primary: old, replica } = await roles();
    const killedAt = Date.now();
    await old.kill();
    const promoted = new Redis(`redis://127.0.0.1:${String(replica.port)}`);
    try {
      for (let i = 0; i < 300; i++) {
        if (/role:master/.test(await promoted.info('replication'))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await promoted.info('replication')).to.match(/role:master/);
      const failoverMs = Date.now() - killedAt;
      // Alone, the new primary refuses writes (min-replicas-to-write 1) until the old one
      // is back as its replica.
      await old.restart();
      const tookMs = await publishUntilOk(publisher, 30000);
      // The primary the Sentinels name now has its replica back. Usually the promoted node;
      // with down-after 1 s a stall on a loaded machine can fail over once more (CI, once:
      // the promoted node was a replica again by then), which WAIT must follow as well.
      const { server } = await redisPrimary(infra);
      const primary = new Redis(`redis://127.0.0.1:${String(server.port)}`);
      try {
        expect(await primary.info('replication')).to.match(/role:master[\s\S]*connected_slaves:1/);
      } finally {
        primary.disconnect();
      }
      process.stderr.write(
        `      failover ${failoverMs} ms; publishing again ${Date.now() - killedAt} ms after the kill (${tookMs} ms after restart); primary now ${server.name}\n`,
      );
    } finally {
      promoted.disconnect();
    }
  });
});
