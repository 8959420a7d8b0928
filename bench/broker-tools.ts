import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/infra/paths.ts';

/**
 * The brokers' own load tools, as a ceiling next to the raw client: Kafka's
 * ProducerPerformance (Java client, acks=all) and redis-benchmark (pipelined XADD).
 */

export interface ToolResult {
  eventsPerS: number;
  /** The line the figure was read from, for the record. */
  line: string;
}

/** Runs a command with a hard time limit; resolves with its stdout+stderr. */
function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${command} exited ${code ?? signal}: ${out.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
  });
}

export interface ProducerPerformanceOptions {
  /** Where the Kafka jars are (kafka-tools included). */
  libsDir: string;
  bootstrap: string;
  topic: string;
  records: number;
  recordBytes: number;
  timeoutMs: number;
}

/** `ProducerPerformance --throughput -1 acks=all`; the topic should exist already. */
export async function kafkaProducerPerformance(o: ProducerPerformanceOptions): Promise<ToolResult> {
  const out = await run(
    'java',
    [
      '-Xmx256m',
      '-cp',
      join(o.libsDir, '*'),
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      o.topic,
      '--num-records',
      String(o.records),
      '--record-size',
      String(o.recordBytes),
      '--throughput',
      '-1',
      '--command-property',
      `bootstrap.servers=${o.bootstrap}`,
      'acks=all',
    ],
    o.timeoutMs,
  );
  // "20000 records sent, 26881.72 records/sec (6.56 MB/sec), ..." is the summary line.
  const line = out.split('\n').find((l) => / records sent, [\d.]+ records\/sec/.test(l));
  const rate = line?.match(/records sent, ([\d.]+) records\/sec/)?.[1];
  if (line === undefined || rate === undefined)
    throw new Error(`no summary in ProducerPerformance output: ${out.slice(-300)}`);
  return { eventsPerS: Number(rate), line: line.trim() };
}

export interface RedisBenchmarkOptions {
  url: string;
  stream: string;
  requests: number;
  /** Bytes of the envelope field, to match what the producer writes. */
  valueBytes: number;
  connections: number;
  pipeline: number;
  timeoutMs: number;
}

/** `redis-benchmark -P <pipeline> XADD <stream> * id .. type .. envelope <value>`, CSV output. */
export async function redisBenchmarkXadd(o: RedisBenchmarkOptions): Promise<ToolResult> {
  const u = new URL(o.url);
  const out = await run(
    'redis-benchmark',
    [
      '-h',
      u.hostname,
      '-p',
      u.port || '6379',
      '-n',
      String(o.requests),
      '-c',
      String(o.connections),
      '-P',
      String(o.pipeline),
      '-r',
      '1000000000',
      '--csv',
      'XADD',
      o.stream,
      '*',
      'id',
      'bench-__rand_int__',
      'type',
      'bench.event',
      'envelope',
      'x'.repeat(o.valueBytes),
    ],
    o.timeoutMs,
  );
  // "test","rps","avg_latency_ms",...  then one row per command.
  const rows = out.split('\n').filter((l) => l.startsWith('"'));
  const header = rows[0]?.split(',').map((c) => c.replaceAll('"', ''));
  const row = rows[1]?.split('","').map((c) => c.replaceAll('"', ''));
  const at = header?.indexOf('rps') ?? -1;
  const rate = at >= 0 ? Number(row?.[at]) : Number.NaN;
  if (!Number.isFinite(rate))
    throw new Error(`no rps in redis-benchmark output: ${out.slice(-300)}`);
  return { eventsPerS: rate, line: `${row?.[at]} XADD/s (-c ${o.connections} -P ${o.pipeline})` };
}
