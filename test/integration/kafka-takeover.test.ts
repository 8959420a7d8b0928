import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../lib/config.ts';
import { createSink } from '../../lib/sink.ts';
import { createRedisClient } from '../../lib/transports/redis-client.ts';
import { driverFor } from '../../lib/transports/registry.ts';
import { endpointsToEnv } from '../../harness/infra/index.ts';
import { watchRecovery } from '../../harness/watch-recovery.ts';
import type { WorkerPool } from '../../harness/worker-pool.ts';
import { benchPayload, envelopes, eventIds } from '../../bench/events.ts';
import { useInfra } from '../support/infra.ts';
import { isolatedEnv, publishRaw, startPool, waitUntil } from './workers-pool.ts';

const EVENTS = 4000;
const WORK_TIME_MS = 200;

/**
 * The survivor keeps working through its own backlog while it waits for the session
 * timeout; once the round gives it the dead worker's partitions, their held events must come
 * next, not after that backlog. So the share of the backlog at the kill that was applied
 * before the last held event is the measure: the session timeout's worth of work and a
 * rebalance, well under this; with the taken-over partitions queued behind the fetched
 * backlog, well over it. A share, not a time: a loaded machine slows both alike.
 */
const MAX_BACKLOG_SHARE = 0.3;

async function busy(pool: WorkerPool, config: Config): Promise<void> {
  const inspector = driverFor('kafka').inspect(config);
  await waitUntil(
    'both workers busy and the group settled',
    async () => {
      const s = await pool.state();
      return s.workers.length === 2 && s.workers.every((w) => w.processed > 0)
        ? inspector.settled(2)
        : false;
    },
    60_000,
  );
}

/**
 * A SIGKILLed worker's held events are taken over by the surviving one within the session
 * timeout plus a rebalance allowance, even while the survivor has a backlog of its own
 * (the bench's recovery phase, respawn pushed out of the window).
 */
describe('kafka workers: takeover after SIGKILL (real Kafka)', function () {
  this.timeout(180_000);
  const infra = useInfra();
  let sinkRedis: Redis;

  before(async function () {
    sinkRedis = createRedisClient(infra().endpoints.sink.direct, 'takeover-test', {
      lazyConnect: true,
    });
    await sinkRedis.connect();
  });
  after(() => sinkRedis?.disconnect());

  async function takeover(client: string): Promise<{ share: number; times: number[] }> {
    const tag = `tk-${client}-${randomBytes(2).toString('hex')}`;
    const env = {
      ...endpointsToEnv(infra().endpoints),
      ...isolatedEnv(tag),
      KAFKA_CLIENT: client,
      WORK_TIME_MS: String(WORK_TIME_MS),
      RESPAWN_BACKOFF_MIN_MS: '600000',
      RESPAWN_BACKOFF_MAX_MS: '600000',
      LOG_LEVEL: process.env.TAKEOVER_LOG_LEVEL ?? 'warn',
    };
    const config = loadConfig(env);
    await publishRaw('kafka', config, envelopes(eventIds(tag, EVENTS), benchPayload(256)));
    const sink = createSink(sinkRedis, { namespace: config.sink.namespace });
    const pool = await startPool({ transport: 'kafka', size: 2, env });
    try {
      await busy(pool, config);
      const victim = (await pool.state()).workers[0];
      if (!victim?.pid) throw new Error('no worker to kill');
      const killedAt = Date.now();
      process.kill(victim.pid, 'SIGKILL');
      const appliedAtKill = (await sink.counts('kafka')).records;
      const held = await driverFor('kafka').inspect(config).heldBy(victim.workerId);
      expect(held.length, 'events held by the killed worker').to.be.greaterThan(0);
      const times = await watchRecovery(sink, 'kafka', held, killedAt, 120_000);
      const takenOverAt = killedAt + Math.max(...times);
      const heldIds = new Set(held);
      let meanwhile = 0;
      for await (const page of sink.scan('kafka')) {
        for (const r of page) {
          const between = r.firstEffectMs > killedAt && r.firstEffectMs < takenOverAt;
          if (between && !heldIds.has(r.id)) meanwhile += 1;
        }
      }
      const backlog = EVENTS - appliedAtKill - held.length;
      const share = meanwhile / backlog;
      process.stdout.write(
        `      takeover ${client}: held ${held.length}, ms ${times.join(' ')}; ` +
          `${meanwhile} of a backlog of ${backlog} applied before (${share.toFixed(2)})\n`,
      );
      return { share, times };
    } finally {
      await pool.kill();
      await sink.clear('kafka');
    }
  }

  for (const client of (process.env.TAKEOVER_CLIENTS ?? 'kafkajs,platformatic').split(',')) {
    it(`${client}: the held events come before the survivor's own backlog`, async function () {
      const { share } = await takeover(client);
      expect(share).to.be.at.most(MAX_BACKLOG_SHARE);
    });
  }
});
