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
 * What a takeover may take beyond the session timeout: the survivor hears of the round at
 * its next heartbeat, joins and syncs (a heartbeat or two), fetches (one fetch wait), then
 * runs the held events (an admitted group's work); plus a fixed allowance for a busy machine.
 */
function takeoverBoundMs(config: Config): number {
  const k = config.kafka;
  const rounds = 2 * k.heartbeatIntervalMs + 500;
  return k.sessionTimeoutMs + rounds + 2 * config.workers.workTimeMs + 2000;
}

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

  async function takeover(client: string): Promise<{ times: number[]; boundMs: number }> {
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
    const boundMs = takeoverBoundMs(config);
    await publishRaw('kafka', config, envelopes(eventIds(tag, EVENTS), benchPayload(256)));
    const sink = createSink(sinkRedis, { namespace: config.sink.namespace });
    const pool = await startPool({ transport: 'kafka', size: 2, env });
    try {
      await busy(pool, config);
      const victim = (await pool.state()).workers[0];
      if (!victim?.pid) throw new Error('no worker to kill');
      const killedAt = Date.now();
      process.kill(victim.pid, 'SIGKILL');
      const held = await driverFor('kafka').inspect(config).heldBy(victim.workerId);
      expect(held.length, 'events held by the killed worker').to.be.greaterThan(0);
      const times = await watchRecovery(sink, 'kafka', held, killedAt, boundMs + 30_000);
      process.stdout.write(
        `      takeover ${client}: held ${held.length}, ms ${times.join(' ')}\n`,
      );
      return { times, boundMs };
    } finally {
      await pool.kill();
      await sink.clear('kafka');
    }
  }

  for (const client of (process.env.TAKEOVER_CLIENTS ?? 'platformatic').split(',')) {
    it(`${client}: the held events are applied within the bound`, async function () {
      const { times, boundMs } = await takeover(client);
      expect(Math.max(...times)).to.be.at.most(boundMs);
    });
  }
});
