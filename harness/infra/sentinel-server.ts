import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { writeSentinelConf } from './redis-node-conf.ts';
import { ServerProcess } from './server-process.ts';
import { SpawnedServer } from './spawned-server.ts';
import { waitUntil } from './wait-until.ts';

/** What one Sentinel believes: the primary's address and how many replicas and peers it sees. */
export interface SentinelView {
  primary: string;
  replicas: number;
  /** Other Sentinels it knows of. */
  sentinels: number;
}

/** `redis-server --sentinel` on loopback, monitoring one primary. */
export class SentinelServer extends SpawnedServer {
  protected readonly process: ServerProcess;
  private readonly dir: string;
  private readonly confFile: string;

  constructor(
    readonly name: `sentinel-${number}`,
    readonly port: number,
    workDir: string,
    private readonly master: string,
    private readonly primaryPort: number,
  ) {
    super();
    this.dir = join(workDir, name);
    this.confFile = join(this.dir, 'sentinel.conf');
    this.process = new ServerProcess(name, {
      command: 'redis-server',
      args: [this.confFile, '--sentinel'],
      logFile: join(workDir, `${name}.log`),
    });
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Writes the config on the first start only: later starts keep what Sentinel learnt. */
  async start(): Promise<void> {
    if (this.process.pid === undefined) {
      await mkdir(this.dir, { recursive: true });
      await writeSentinelConf(this.confFile, {
        port: this.port,
        dir: this.dir,
        master: this.master,
        primaryPort: this.primaryPort,
      });
    }
    this.process.start();
    await waitUntil(`${this.name}`, async () => (await this.view()).primary !== '', {
      timeoutMs: 20000,
      gaveUp: () => this.process.exitReason(),
    });
  }

  /** This Sentinel's current belief. */
  async view(): Promise<SentinelView> {
    const redis = new Redis({
      host: '127.0.0.1',
      port: this.port,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      const addr = (await redis.call('SENTINEL', 'get-master-addr-by-name', this.master)) as
        string[] | null;
      const replicas = (await redis.call('SENTINEL', 'replicas', this.master)) as unknown[];
      const peers = (await redis.call('SENTINEL', 'sentinels', this.master)) as unknown[];
      return {
        primary: addr ? `${addr[0]}:${addr[1]}` : '',
        replicas: replicas.length,
        sentinels: peers.length,
      };
    } finally {
      redis.disconnect();
    }
  }
}
