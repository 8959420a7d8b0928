import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Config } from '../lib/config.ts';
import { errorMessage } from '../lib/errors.ts';
import { enableFailpoints } from '../lib/failpoints.ts';
import { configureLogging, createLogger, type Logger } from '../lib/log.ts';
import { createSink, createSinkClient } from '../lib/sink.ts';
import { startTracing, type Tracing } from '../lib/tracing/tracing.ts';
import { driverFor } from '../lib/transports/registry.ts';
import type { Consumer } from '../lib/transports/types.ts';
import { createHandler } from './handler.ts';
import { isToWorker, type FromWorker, type ToWorker } from './messages.ts';
import { createWorkerMetrics, type MetricsMessage, type WorkerMetrics } from './worker-metrics.ts';

/**
 * Processed counts and metrics go to the primary at most this often (one message each, not
 * one per event): the pool's /metrics is at most this old, and a SIGKILLed worker's last
 * counts are kept by the primary.
 */
const REPORT_INTERVAL_MS = 250;

const send = (msg: FromWorker | MetricsMessage) => {
  if (process.connected) process.send?.(msg);
};

/** One slot's parts: the sink connection, the metrics and the consumer around the handler. */
interface WorkerParts {
  consumer: Consumer;
  sinkClient: ReturnType<typeof createSinkClient>;
  metrics: WorkerMetrics;
  tracing: Tracing;
}

function buildWorker(
  config: Config,
  msg: Extract<ToWorker, { type: 'start' }>,
  log: Logger,
  onProcessed: () => void,
  tracing: Tracing,
): WorkerParts {
  const driver = driverFor(msg.transport);
  const sinkClient = createSinkClient(config, `sink-w${msg.workerId}`);
  const sink = createSink(sinkClient, { namespace: config.sink.namespace });
  const metrics = createWorkerMetrics(msg.transport);
  const handler = createHandler({
    transport: msg.transport,
    sink,
    workerId: msg.workerId,
    workTimeMs: config.workers.workTimeMs,
    workTimeJitterMs: config.workers.workTimeJitterMs,
    onProcessed,
    metrics,
    maxDeliveries: config.workers.maxDeliveries,
    tracing: { tracing, target: driver.messaging(config) },
  });
  const consumer = driver.createConsumer(config, handler, {
    workerId: msg.workerId,
    logger: log,
    countReceipts: (ids) => sink.countReceipts(msg.transport, ids),
  });
  return { consumer, sinkClient, metrics, tracing };
}

/** Sends the processed count and changed metrics to the primary every REPORT_INTERVAL_MS. */
function startReporter(metrics: () => WorkerMetrics | undefined) {
  let processed = 0;
  const flush = async () => {
    if (processed > 0) {
      send({ type: 'processed', count: processed });
      processed = 0;
    }
    const m = metrics();
    if (m?.changed) send({ type: 'metrics', metrics: await m.snapshot() });
  };
  const timer = setInterval(() => void flush(), REPORT_INTERVAL_MS);
  return {
    count: () => void (processed += 1),
    /** Stops the timer and sends what is left. */
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}

/**
 * The cluster child: waits for `start` from the primary (its slot id and transport), builds
 * the sink, handler and consumer, and runs until `drain` (or SIGTERM/SIGINT, or the primary
 * going away), then drains within `drainTimeoutMs` and exits.
 */
export function runWorker(): void {
  const config = loadConfig();
  configureLogging(config.logLevel);
  let log = createLogger('worker');
  enableFailpoints(config.failpoints, log);
  let parts: WorkerParts | undefined;
  let started = false;
  let exiting: Promise<void> | undefined;
  const reporter = startReporter(() => parts?.metrics);

  const shutdown = (reason: string, code = 0) => {
    exiting ??= (async () => {
      log.info({ reason }, 'draining');
      const deadline = sleep(config.workers.drainTimeoutMs).then(() => 'timeout' as const);
      const outcome = await Promise.race([
        (parts?.consumer.drain() ?? Promise.resolve()).then(() => 'drained' as const),
        deadline,
      ]);
      if (outcome === 'timeout')
        log.warn({ drainTimeoutMs: config.workers.drainTimeoutMs }, 'drain timed out');
      await reporter.stop();
      // After the drain, so the spans of the last deliveries are exported too.
      await parts?.tracing.shutdown();
      send({ type: 'drained' });
      parts?.sinkClient.disconnect();
      // Let the IPC messages out before exiting.
      setTimeout(() => process.exit(code), 50).unref();
    })();
  };

  async function start(msg: Extract<ToWorker, { type: 'start' }>) {
    started = true;
    log = createLogger('worker', { workerId: msg.workerId, transport: msg.transport });
    try {
      // Off unless an OTLP endpoint is set; one service for every pool, each worker an instance.
      const tracing = await startTracing(config, 'workers', {
        'service.instance.id': `${msg.transport}-${msg.workerId}-${process.pid}`,
      });
      // Told to drain while the SDK loaded: nothing was started, nothing to drain.
      if (exiting) return;
      parts = buildWorker(config, msg, log, reporter.count, tracing);
      await parts.consumer.start();
      send({ type: 'ready' });
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'consumer failed to start');
      shutdown('start failed', 1);
    }
  }

  process.on('message', (msg: unknown) => {
    if (!isToWorker(msg)) return;
    if (msg.type === 'start' && !started) void start(msg);
    if (msg.type === 'drain') shutdown('drain requested');
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // The primary died: never linger as an orphan.
  process.on('disconnect', () => shutdown('primary gone'));
  send({ type: 'hello' });
}
