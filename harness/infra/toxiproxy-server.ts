import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Toxiproxy } from 'toxiproxy-node-client';
import { PrerequisiteError } from '../../lib/errors.ts';
import { requireGo } from './prerequisites.ts';
import { ServerProcess } from './server-process.ts';
import { waitUntil } from './wait-until.ts';
import { SpawnedServer } from './spawned-server.ts';

const run = promisify(execFile);
export const TOXIPROXY_VERSION = 'v2.12.0';

/** Builds the Toxiproxy server with `go install` into `<cache>/bin` once. */
export async function provisionToxiproxy(
  cache: string,
  log: (line: string) => void,
): Promise<string> {
  const bin = join(cache, 'bin');
  const binary = join(bin, `toxiproxy-server-${TOXIPROXY_VERSION}`);
  if (existsSync(binary)) return binary;
  await requireGo();
  log(`toxiproxy: building Toxiproxy ${TOXIPROXY_VERSION} with go install (first use only) ...`);
  const started = Date.now();
  const gobin = join(cache, `gobin.partial-${process.pid}`);
  await rm(gobin, { recursive: true, force: true });
  try {
    await run(
      'go',
      ['install', `github.com/Shopify/toxiproxy/v2/cmd/server@${TOXIPROXY_VERSION}`],
      {
        env: { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod' },
        timeout: 600000,
      },
    );
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new PrerequisiteError(
      `go install of Toxiproxy ${TOXIPROXY_VERSION} failed (is the Go module proxy reachable?):\n${stderr}\n` +
        'Either fix access to the Go module proxy, or point TOXIPROXY_URL and the broker ' +
        'variables at running servers (e.g. `docker compose up -d`).',
      { cause: err },
    );
  }
  await mkdir(bin, { recursive: true });
  await rename(join(gobin, 'server'), binary);
  await rm(gobin, { recursive: true, force: true });
  log(`toxiproxy: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return binary;
}

export class ToxiproxyServer extends SpawnedServer {
  override readonly name = 'toxiproxy' as const;
  protected readonly process: ServerProcess;

  constructor(
    binary: string,
    readonly port: number,
    workDir: string,
  ) {
    super();
    this.process = new ServerProcess('toxiproxy', {
      command: binary,
      args: ['-host', '127.0.0.1', '-port', String(port)],
      env: { ...process.env, LOG_LEVEL: 'warn' },
      logFile: join(workDir, 'toxiproxy.log'),
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process.start();
    await waitUntil('Toxiproxy', async () => (await fetch(`${this.url}/version`)).ok, {
      timeoutMs: 20000,
      gaveUp: () => this.process.exitReason(),
    });
  }

  /** `go install` builds carry no version stamp (they answer "git"), so name the pinned tag. */
  async version(): Promise<string> {
    const reported = (await new Toxiproxy(this.url).getVersion()).trim();
    return reported.includes('git') ? TOXIPROXY_VERSION.slice(1) : reported;
  }
}
