import { cleanupRun } from '../cleanup.ts';
import type { BenchContext } from '../context.ts';
import { envelopes, eventIds, runTag } from '../events.ts';
import { progress } from '../progress.ts';
import { fillBacklog } from '../raw-publishers.ts';
import type { DrainResult } from '../results.ts';
import { startPool, startRawConsumers } from '../services.ts';
import { effectWindow, openSinkReader } from '../sink-reader.ts';
import { configFor, runNames, type Env } from '../stack.ts';
import { logName, subjectLabel, variantField, type BenchSubject } from '../subjects.ts';
import { perSecond, ratio } from '../stats.ts';

export interface DrainRun {
  eventsPerS: number;
  wallMs: number;
}

/**
 * Fills a backlog with the raw client, starts the consumers, waits until the sink holds
 * every event; the rate is over the first-to-last effect window, so process start-up
 * (tsx, cluster fork, group join) is not counted, only in the wall time.
 */
export async function drainOnce(
  ctx: BenchContext,
  subject: BenchSubject,
  kind: 'workers' | 'raw',
  extraEnv: Env = {},
): Promise<DrainRun> {
  const { transport } = subject;
  const { events: count, poolSize, timeoutMs } = ctx.plan.drain;
  const names = runNames(`dr-${kind}-${transport}`);
  const env = { ...ctx.baseEnv, ...subject.env, ...names, WORK_TIME_MS: '0', ...extraEnv };
  const config = configFor(env);
  const label = subjectLabel(subject);
  progress(`drain ${label} (${kind}): filling ${count} events`);
  await fillBacklog(transport, config, envelopes(eventIds(runTag('d'), count), ctx.payload));
  const reader = await openSinkReader(ctx.endpoints.sink.direct, names.SINK_NAMESPACE);
  try {
    progress(`drain ${label} (${kind}): ${poolSize} consumers draining`);
    const started = Date.now();
    if (kind === 'workers') {
      const pool = await startPool(
        transport,
        poolSize,
        env,
        ctx.logDir,
        logName('drain-workers', subject),
      );
      try {
        await reader.waitForRecords(transport, count, timeoutMs);
      } finally {
        // Drained or not, the measurement is over: do not wait long.
        await pool.stop(10_000);
      }
    } else {
      const raw = await startRawConsumers(transport, poolSize, env, ctx.logDir);
      try {
        await reader.waitForRecords(transport, count, timeoutMs, () => raw.check());
      } finally {
        await raw.stop();
      }
    }
    const records = await reader.records(transport);
    const { firstMs, lastMs } = effectWindow(records);
    return {
      eventsPerS: perSecond(records.length - 1, lastMs - firstMs),
      wallMs: lastMs - started,
    };
  } finally {
    reader.close();
    await cleanupRun(config);
  }
}

export async function measureDrain(ctx: BenchContext, subject: BenchSubject): Promise<DrainResult> {
  const raw = await drainOnce(ctx, subject, 'raw');
  const ours = await drainOnce(ctx, subject, 'workers');
  return {
    transport: subject.transport,
    ...variantField(subject),
    events: ctx.plan.drain.events,
    workersEventsPerS: ours.eventsPerS,
    rawEventsPerS: raw.eventsPerS,
    ratio: ratio(ours.eventsPerS, raw.eventsPerS),
    workersWallMs: ours.wallMs,
    rawWallMs: raw.wallMs,
  };
}
