import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../lib/config.ts';
import type { TransportName } from '../../lib/envelope.ts';
import { cleanupRun } from '../cleanup.ts';
import type { BenchContext } from '../context.ts';
import { envelopes, eventIds, runTag } from '../events.ts';
import { bullmqHeld, kafkaGroup, kafkaHeld, redisHeld } from '../held-events.ts';
import { progress } from '../progress.ts';
import { createRawPublisher, fillBacklog } from '../raw-publishers.ts';
import type { RecoveryResult } from '../results.ts';
import { startPool, type PoolHandle } from '../services.ts';
import { openSinkReader, type SinkReader } from '../sink-reader.ts';
import { configFor, runNames } from '../stack.ts';

/** The configured time after which another worker takes a dead worker's events over. */
function takeoverBound(
  transport: TransportName,
  config: Config,
): { boundMs: number; boundFrom: string } {
  switch (transport) {
    case 'kafka':
      return { boundMs: config.kafka.sessionTimeoutMs, boundFrom: 'KAFKA_SESSION_TIMEOUT_MS' };
    case 'redis':
      return {
        boundMs: config.redis.claimIdleMs + config.redis.claimIntervalMs,
        boundFrom: 'REDIS_CLAIM_IDLE_MS + REDIS_CLAIM_INTERVAL_MS',
      };
    case 'bullmq':
      return {
        boundMs: config.bullmq.lockDurationMs + config.bullmq.stalledIntervalMs,
        boundFrom: 'BULLMQ_LOCK_DURATION_MS + BULLMQ_STALLED_INTERVAL_MS',
      };
  }
}

/** Kafka backlog written partition by partition, so the id at every offset is known. */
async function fillKafkaByPartition(
  config: Config,
  ids: string[],
  payload: unknown,
): Promise<string[][]> {
  const partitions = config.kafka.partitions;
  const byPartition: string[][] = Array.from({ length: partitions }, () => []);
  ids.forEach((id, i) => byPartition[i % partitions]?.push(id));
  const publisher = await createRawPublisher('kafka', config);
  try {
    for (const [p, pids] of byPartition.entries()) {
      for (let i = 0; i < pids.length; i += 500)
        await publisher.publish(envelopes(pids.slice(i, i + 500), payload), p);
    }
  } finally {
    await publisher.close();
  }
  return byPartition;
}

/** Waits until every worker has processed something (so each holds events) and Kafka's group is settled. */
async function waitUntilBusy(
  pool: PoolHandle,
  transport: TransportName,
  config: Config,
  size: number,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const state = await pool.state();
    const busy = state.workers.length >= size && state.workers.every((w) => w.processed > 0);
    if (busy) {
      if (transport !== 'kafka') return;
      const group = await kafkaGroup(config);
      if (
        group.state === 'Stable' &&
        group.members.length === size &&
        group.members.every((m) => m.partitions.length > 0)
      )
        return;
    }
    await sleep(200);
  }
  throw new Error(`${transport}: workers were not all busy within 60 s`);
}

/**
 * Polls the sink until every held event was processed again after the kill: a record
 * appeared (it had none), or its delivery count went up (it was applied but not acked).
 * Returns the kill-to-recovery time of each.
 */
async function watchRecovery(
  reader: SinkReader,
  transport: TransportName,
  held: string[],
  killedAt: number,
  timeoutMs: number,
): Promise<number[]> {
  const before = await reader.sink.get(transport, held);
  const waiting = new Map(held.map((id) => [id, before.get(id)?.deliveries ?? 0]));
  const times: number[] = [];
  const deadline = killedAt + timeoutMs;
  while (waiting.size > 0) {
    if (Date.now() > deadline)
      throw new Error(
        `${transport}: ${waiting.size} of ${held.length} held events not recovered ${timeoutMs} ms after the kill`,
      );
    await sleep(100);
    const now = Date.now();
    const seen = await reader.sink.get(transport, [...waiting.keys()]);
    for (const [id, deliveriesBefore] of waiting) {
      const r = seen.get(id);
      if (r === undefined) continue;
      if (deliveriesBefore === 0) times.push(r.firstEffectMs - killedAt);
      else if (r.deliveries > deliveriesBefore) times.push(now - killedAt);
      else continue;
      waiting.delete(id);
    }
  }
  return times;
}

/**
 * SIGKILLs one of the pool's workers while it holds events (WORK_TIME_MS > 0) and times
 * until those events are processed by the other worker. Respawn is pushed out of the
 * window, so what is measured is the takeover path the bound describes.
 */
export async function measureRecovery(
  ctx: BenchContext,
  transport: TransportName,
): Promise<RecoveryResult> {
  const { events: count, poolSize, workTimeMs } = ctx.plan.recovery;
  const names = runNames(`rc-${transport}`);
  const env = {
    ...ctx.baseEnv,
    ...names,
    WORK_TIME_MS: String(workTimeMs),
    RESPAWN_BACKOFF_MIN_MS: '600000',
    RESPAWN_BACKOFF_MAX_MS: '600000',
  };
  const config = configFor(env);
  const { boundMs, boundFrom } = takeoverBound(transport, config);
  const ids = eventIds(runTag('rc'), count);
  let partitionIds: string[][] = [];
  if (transport === 'kafka') partitionIds = await fillKafkaByPartition(config, ids, ctx.payload);
  else await fillBacklog(transport, config, envelopes(ids, ctx.payload));

  const reader = await openSinkReader(ctx.endpoints.sink.direct, names.SINK_NAMESPACE);
  const pool = await startPool(
    transport,
    poolSize,
    env,
    ctx.logDir,
    `recovery-workers-${transport}`,
  );
  try {
    await waitUntilBusy(pool, transport, config, poolSize);
    const victim = (await pool.state()).workers[0];
    if (!victim?.pid) throw new Error(`${transport}: no worker to kill`);
    const kafkaPartitions =
      transport === 'kafka'
        ? ((await kafkaGroup(config)).members.find(
            (m) => m.clientId === `workers-${victim.workerId}`,
          )?.partitions ?? [])
        : [];
    const killedAt = Date.now();
    pool.killWorker(victim.pid);
    await sleep(20);
    const held =
      transport === 'kafka'
        ? await kafkaHeld(config, kafkaPartitions, partitionIds)
        : transport === 'redis'
          ? await redisHeld(config, victim.workerId)
          : // The BullMQ worker name our consumer sets (lib/transports/bullmq-consumer.ts).
            await bullmqHeld(config, `${hostname()}-w${victim.workerId}`);
    progress(
      `recovery ${transport}: killed worker ${victim.workerId} (pid ${victim.pid}) holding ${held.length} events; waiting`,
    );
    if (held.length === 0) throw new Error(`${transport}: the killed worker held no events`);
    const times = await watchRecovery(reader, transport, held, killedAt, boundMs + 30_000);
    const recoveredMs = Math.max(...times);
    return {
      transport,
      held: held.length,
      firstRecoveredMs: Math.min(...times),
      recoveredMs,
      boundMs,
      boundFrom,
      withinTarget: recoveredMs <= boundMs + 2000,
    };
  } finally {
    await pool.kill();
    reader.close();
    await cleanupRun(config);
  }
}
