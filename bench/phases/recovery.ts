import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../lib/config.ts';
import type { TransportName } from '../../lib/envelope.ts';
import { driverFor } from '../../lib/transports/registry.ts';
import { watchRecovery } from '../../harness/watch-recovery.ts';
import { cleanupRun } from '../cleanup.ts';
import type { BenchContext } from '../context.ts';
import { envelopes, eventIds, runTag } from '../events.ts';
import { progress } from '../progress.ts';
import { fillBacklog } from '../raw-publishers.ts';
import type { RecoveryResult } from '../results.ts';
import type { WorkerPool } from '../../harness/worker-pool.ts';
import { startPool } from '../services.ts';
import { openSinkReader } from '../sink-reader.ts';
import { configFor, runNames } from '../stack.ts';
import { logName, subjectLabel, variantField, type BenchSubject } from '../subjects.ts';

/** Waits until every worker has processed something (so each holds events) and the consumers settled. */
async function waitUntilBusy(
  pool: WorkerPool,
  transport: TransportName,
  config: Config,
  size: number,
): Promise<void> {
  const inspector = driverFor(transport).inspect(config);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const state = await pool.state();
    const busy = state.workers.length >= size && state.workers.every((w) => w.processed > 0);
    if (busy && (await inspector.settled(size))) return;
    await sleep(200);
  }
  throw new Error(`${transport}: workers were not all busy within 60 s`);
}

/**
 * SIGKILLs one of the pool's workers while it holds events (WORK_TIME_MS > 0) and times
 * until those events are processed by the other worker. Respawn is pushed out of the
 * window, so what is measured is the takeover path the bound describes.
 */
export async function measureRecovery(
  ctx: BenchContext,
  subject: BenchSubject,
): Promise<RecoveryResult> {
  const { transport } = subject;
  const { events: count, poolSize, workTimeMs } = ctx.plan.recovery;
  const names = runNames(`rc-${transport}`);
  const env = {
    ...ctx.baseEnv,
    ...subject.env,
    ...names,
    WORK_TIME_MS: String(workTimeMs),
    RESPAWN_BACKOFF_MIN_MS: '600000',
    RESPAWN_BACKOFF_MAX_MS: '600000',
  };
  const config = configFor(env);
  const driver = driverFor(transport);
  const { boundMs, boundFrom } = driver.takeoverBound(config);
  await fillBacklog(transport, config, envelopes(eventIds(runTag('rc'), count), ctx.payload));

  const reader = await openSinkReader(ctx.endpoints.sink.direct, names.SINK_NAMESPACE);
  const pool = await startPool(
    transport,
    poolSize,
    env,
    ctx.logDir,
    logName('recovery-workers', subject),
  );
  try {
    await waitUntilBusy(pool, transport, config, poolSize);
    const victim = (await pool.state()).workers[0];
    if (!victim?.pid) throw new Error(`${transport}: no worker to kill`);
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    await sleep(20);
    // Read at once: a dead consumer's share stays frozen until another takes it over.
    const held = await driver.inspect(config).heldBy(victim.workerId);
    progress(
      `recovery ${subjectLabel(subject)}: killed worker ${victim.workerId} (pid ${victim.pid}) holding ${held.length} events; waiting`,
    );
    if (held.length === 0) throw new Error(`${transport}: the killed worker held no events`);
    const times = await watchRecovery(reader.sink, transport, held, killedAt, boundMs + 30_000);
    const recoveredMs = Math.max(...times);
    return {
      transport,
      ...variantField(subject),
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
