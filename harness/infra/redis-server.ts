import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REDIS_SERVER_ARGS } from './broker-settings.ts';
import { ServerProcess } from './server-process.ts';
import { waitUntil } from './wait-until.ts';
import { SpawnedServer } from './spawned-server.ts';

export type RedisRole = 'redis' | 'sink' | `redis-${number}`;

/**
 * A redis-server from PATH, with the settings every provider gives Redis
 * (`REDIS_SERVER_ARGS`: `appendfsync always`, `noeviction`), on loopback. With `confFile`
 * everything comes from that file instead, so Sentinel's CONFIG REWRITE (who the primary is)
 * survives a restart.
 */
export class RedisServer extends SpawnedServer {
  protected readonly process: ServerProcess;

  constructor(
    readonly name: RedisRole,
    readonly port: number,
    private readonly workDir: string,
    confFile?: string,
  ) {
    super();
    this.process = new ServerProcess(name, {
      command: 'redis-server',
      args:
        confFile !== undefined
          ? [confFile]
          : [
              '--bind',
              '127.0.0.1',
              '--port',
              String(port),
              '--dir',
              join(workDir, `${name}-data`),
              ...REDIS_SERVER_ARGS,
              '--protected-mode',
              'no',
              '--daemonize',
              'no',
            ],
      logFile: join(workDir, `${name}.log`),
    });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await mkdir(join(this.workDir, `${this.name}-data`), { recursive: true });
    this.process.start();
    await waitUntil(
      `${this.name} Redis`,
      async () => (await this.command((r) => r.ping())) === 'PONG',
      { timeoutMs: 20000, gaveUp: () => this.process.exitReason() },
    );
  }

  async version(): Promise<string> {
    const info = await this.command((r) => r.info('server'));
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  }

  /** Runs `fn` on a short-lived connection to this server. */
  async command<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis(this.url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await fn(redis);
    } finally {
      redis.disconnect();
    }
  }
}
