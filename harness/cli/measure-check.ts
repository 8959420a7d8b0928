/**
 * `npx tsx harness/cli/measure-check.ts [--events 1000000] [--keep DIR]`: times the check
 * phase of a run of N events without running one. It writes a synthetic soak history (the
 * soak's shape: batches of 5 over the three transports, a fault every 15 s, a sample per
 * transport per second) to disk and the matching ledger into a real sink Redis, then does
 * what the runner does after the drain: reads the sink, digests the history file, checks,
 * and writes the report. Prints each step's time and the process's peak RSS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { TRANSPORTS, type TransportName } from '../../lib/envelope.ts';
import { parseFlags } from '../../lib/cli-flags.ts';
import { createSink, type Sink, type SinkRecord } from '../../lib/sink.ts';
import { readSink } from '../check-inputs.ts';
import { check } from '../checker/index.ts';
import { createHistoryWriter, type HistoryWriter } from '../history.ts';
import { digestHistoryFile } from '../history-digest.ts';
import { freePort } from '../infra/ports.ts';
import { RedisServer } from '../infra/redis-server.ts';
import { writeReport } from '../report.ts';

const T0 = Date.now() - 4 * 3600_000;
const BATCH = 5;
const FAULT_EVERY_MS = 15_000;

const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Requests of BATCH events, each ok after 20 ms; the effect 50 ms after the invoke. */
async function writeRun(writer: HistoryWriter, sink: Sink, events: number, spanMs: number) {
  const perTransport = Math.ceil(events / TRANSPORTS.length);
  const requests = Math.ceil(perTransport / BATCH);
  const at = (time: number) => ({ time, wall: T0 + Math.round(time) });
  writer.append({
    type: 'meta',
    scenario: 'soak',
    seed: 'm',
    transports: [...TRANSPORTS],
    ...at(0),
  });
  for (let r = 0; r < requests; r++) {
    const time = (r / requests) * spanMs;
    if (
      Math.floor(time / FAULT_EVERY_MS) !== Math.floor((time - spanMs / requests) / FAULT_EVERY_MS)
    ) {
      writer.append({
        type: 'fault',
        phase: 'start',
        fault: 'kill-worker',
        target: 'kafka:1',
        ...at(time),
      });
      writer.append({
        type: 'fault',
        phase: 'heal',
        fault: 'kill-worker',
        target: 'kafka:1',
        ...at(time),
      });
    }
    const records: Promise<unknown>[] = [];
    for (const [p, t] of TRANSPORTS.entries()) {
      const ids = Array.from({ length: BATCH }, (_, i) => `m-${t}-${r * BATCH + i}`);
      const process = r * TRANSPORTS.length + p;
      writer.append({ type: 'invoke', process, transport: t, ids, ...at(time) });
      writer.append({ type: 'ok', process, transport: t, ids, status: 202, ...at(time + 20) });
      for (const id of ids) {
        const input = { transport: t, id, workerId: '1', pid: 7, deliveryCount: 1 };
        records.push(sink.record({ ...input, nowMs: T0 + Math.round(time) + 50 }));
      }
      if (r % 200 === 0)
        writer.append({ type: 'sample', transport: t, pending: 0, restarts: 0, ...at(time) });
    }
    await Promise.all(records);
  }
  return requests * BATCH * TRANSPORTS.length;
}

/** Runs a step and prints its wall time, its CPU time (the machine may be shared) and the peak RSS. */
async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  const wallS = ((performance.now() - started) / 1000).toFixed(1).padStart(7);
  const cpuS = ((used.user + used.system) / 1e6).toFixed(1).padStart(6);
  console.log(`${what.padEnd(22)} ${wallS} s wall ${cpuS} s cpu   peak RSS ${rssMb()} MB`);
  return value;
}

async function checkPhase(dir: string, sink: Sink) {
  const records = await timed('read sink', async () => {
    const out: Partial<Record<TransportName, Map<string, SinkRecord>>> = {};
    for (const t of TRANSPORTS) out[t] = await readSink(sink, t);
    return out;
  });
  const digest = await timed('digest history file', () =>
    digestHistoryFile(join(dir, 'history.ndjson')),
  );
  const zero = (t: TransportName) => ({ transport: t, pending: 0, detail: {} });
  const result = await timed('check', () =>
    Promise.resolve(
      check({
        history: [],
        index: digest.index,
        sink: records,
        pending: TRANSPORTS.map(zero),
        deadLetters: { kafka: [], redis: [], bullmq: [] },
      }),
    ),
  );
  await timed('write report', () =>
    writeReport(dir, { scenario: 'soak', seed: 'm', startedAt: T0, result, digest, sink: records }),
  );
  return result;
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, {
    events: { type: 'string' },
    keep: { type: 'string' },
    reuse: { type: 'boolean' },
  });
  if (!parsed.ok) throw new Error(`bad arguments: ${JSON.stringify(parsed.problem)}`);
  const events = Number(parsed.values.get('events') ?? 1_000_000);
  const dir =
    (parsed.values.get('keep') as string | undefined) ??
    (await mkdtemp(join(tmpdir(), 'measure-check-')));
  const server = new RedisServer('sink', await freePort(), dir);
  await server.start();
  const redis = new Redis(server.url);
  try {
    const sink = createSink(redis, { namespace: 'measure' });
    // --reuse with --keep DIR: check what an earlier --keep DIR wrote (the sink reloads its AOF).
    let written = events;
    if (!parsed.values.has('reuse')) {
      const writer = createHistoryWriter(join(dir, 'history.ndjson'));
      written = await timed(`write ${events} events`, () =>
        writeRun(writer, sink, events, 3600_000),
      );
      writer.close();
    }
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = await checkPhase(dir, sink);
    const used = process.cpuUsage(cpu);
    const total = `${((performance.now() - started) / 1000).toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s cpu`;
    console.log(
      `checked ${written} events (${result.counts.ok} ok, ${result.counts.lost} lost, valid ${String(result.valid)}) in ${total}; peak RSS ${rssMb()} MB`,
    );
    return result.valid === true ? 0 : 1;
  } finally {
    redis.disconnect();
    await server.stop();
    if (!parsed.values.has('keep')) await rm(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
