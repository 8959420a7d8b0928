import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REDIS_CLUSTER_SETTINGS, REDIS_SERVER_ARGS, SENTINEL_SETTINGS } from './broker-settings.ts';

/** `--name value` pairs as redis.conf lines (an empty value quoted, as `save ""`). */
function confLines(args: readonly string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const value = args[i + 1] ?? '';
    lines.push(`${(args[i] ?? '').replace(/^--/, '')} ${value === '' ? '""' : value}`);
  }
  return lines;
}

export interface RedisNodeConf {
  port: number;
  dataDir: string;
  /** What the node announces as a replica: its peer proxy. */
  announcePort: number;
  /** The peer proxy of the primary; absent for the first primary. */
  replicaOf?: number;
}

/** A replicated Redis node's redis.conf; returns its path. */
export async function writeRedisNodeConf(dir: string, c: RedisNodeConf): Promise<string> {
  const lines = [
    'bind 127.0.0.1',
    `port ${c.port}`,
    `dir ${c.dataDir}`,
    'protected-mode no',
    'daemonize no',
    ...confLines(REDIS_SERVER_ARGS),
    ...Object.entries(REDIS_CLUSTER_SETTINGS).map(([k, v]) => `${k} ${v}`),
    `replica-announce-port ${c.announcePort}`,
    ...(c.replicaOf !== undefined ? [`replicaof 127.0.0.1 ${c.replicaOf}`] : []),
  ];
  const file = join(dir, 'redis.conf');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** A Sentinel's config: it must be a writable file, Sentinel records its state there. */
export async function writeSentinelConf(
  file: string,
  c: { port: number; dir: string; master: string; primaryPort: number },
): Promise<void> {
  const s = SENTINEL_SETTINGS;
  const lines = [
    'bind 127.0.0.1',
    `port ${c.port}`,
    `dir ${c.dir}`,
    'protected-mode no',
    'daemonize no',
    'sentinel resolve-hostnames no',
    `sentinel monitor ${c.master} 127.0.0.1 ${c.primaryPort} ${s.quorum}`,
    `sentinel down-after-milliseconds ${c.master} ${s.downAfterMs}`,
    `sentinel failover-timeout ${c.master} ${s.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${c.master} 1`,
  ];
  await writeFile(file, `${lines.join('\n')}\n`);
}
