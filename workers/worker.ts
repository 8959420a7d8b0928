import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../lib/config.ts';
import { errorMessage } from '../lib/errors.ts';
import { enableFailpoints } from '../lib/failpoints.ts';
import { configureLogging, createLogger } from '../lib/log.ts';
import { createSink, createSinkClient } from '../lib/sink.ts';
import { driverFor } from '../lib/transports/registry.ts';
import type { Consumer } from '../lib/transports/types.ts';
import { createHandler } from './handler.ts';
import { isToWorker, type FromWorker, type ToWorker } from './messages.ts';

/** Processed counts go to the primary at most this often (one message, not one per event). */
const REPORT_INTERVAL_MS = 250;

const send = (msg: FromWorker) => {
  if (process.connected) process.send?.(msg);
};

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
  let consumer: Consumer | undefined;
  let sinkClient: ReturnType<typeof createSinkClient> | undefined;
  let processed = 0;
  let started = false;
  let exiting: Promise<void> | undefined;

  const flush = () => {
    if (processed > 0) {
      send({ type: 'processed', count: processed });
      processed = 0;
    }
  };
  const reporter = setInterval(flush, REPORT_INTERVAL_MS);

  const shutdown = (reason: string, code = 0) => {
    exiting ??= (async () => {
      log.info({ reason }, 'draining');
      const deadline = sleep(config.workers.drainTimeoutMs).then(() => 'timeout' as const);
      const outcome = await Promise.race([
        (consumer?.drain() ?? Promise.resolve()).then(() => 'drained' as const),
        deadline,
      ]);
      if (outcome === 'timeout')
        log.warn({ drainTimeoutMs: config.workers.drainTimeoutMs }, 'drain timed out');
      clearInterval(reporter);
      flush();
      send({ type: 'drained' });
      sinkClient?.disconnect();
      // Let the IPC messages out before exiting.
      setTimeout(() => process.exit(code), 50).unref();
    })();
  };

  async function start(msg: Extract<ToWorker, { type: 'start' }>) {
    started = true;
    log = createLogger('worker', { workerId: msg.workerId, transport: msg.transport });
    sinkClient = createSinkClient(config, `sink-w${msg.workerId}`);
    const sink = createSink(sinkClient, { namespace: config.sink.namespace });
    const handler = createHandler({
      transport: msg.transport,
      sink,
      workerId: msg.workerId,
      workTimeMs: config.workers.workTimeMs,
      workTimeJitterMs: config.workers.workTimeJitterMs,
      onProcessed: () => {
        processed += 1;
      },
    });
    consumer = driverFor(msg.transport).createConsumer(config, handler, {
      workerId: msg.workerId,
      logger: log,
      countReceipts: (ids) => sink.countReceipts(msg.transport, ids),
    });
    try {
      await consumer.start();
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
