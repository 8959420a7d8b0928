import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../lib/errors.ts';
import type { PoolMetrics } from './pool-metrics.ts';
import { parsePoolSize, POOL_SIZE_RULE } from './pool-size.ts';
import type { Supervisor } from './supervisor.ts';

export interface ControlServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** Answers one control request (see startControlServer). */
function handle(
  req: IncomingMessage,
  res: ServerResponse,
  supervisor: Supervisor,
  metrics: PoolMetrics | undefined,
): void {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/state' && req.method === 'GET') return reply(200, supervisor.state());
  if (url.pathname === '/metrics' && req.method === 'GET' && metrics !== undefined) {
    metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(text);
      },
      (err: unknown) => reply(500, { error: errorMessage(err) }),
    );
    return;
  }
  if (url.pathname === '/scale' && req.method === 'POST') {
    const raw = url.searchParams.get('size');
    const size = parsePoolSize(raw);
    if (size === undefined) {
      const got = raw === null ? 'it is missing' : `got "${raw}"`;
      return reply(400, { error: `size must be ${POOL_SIZE_RULE}; ${got}`, field: 'size' });
    }
    supervisor.scale(size).then(
      () => reply(200, supervisor.state()),
      (err: unknown) => reply(500, { error: err instanceof Error ? err.message : String(err) }),
    );
    return;
  }
  const served = metrics === undefined ? ['/state', '/scale'] : ['/state', '/scale', '/metrics'];
  if (served.includes(url.pathname)) return reply(405, { error: 'method not allowed' });
  return reply(404, { error: 'not found' });
}

/**
 * The pool's control endpoint on loopback, for the harness:
 * `GET /state` -> PoolState JSON; `POST /scale?size=N` -> 200 with the state once the pool
 * has that size (scale-down waits for the removed workers to drain); a size that is not
 * decimal digits from 0 to 256 -> 400 `{error, field: 'size'}`; `GET /metrics` -> the
 * pool's Prometheus page (pool-metrics.ts), when `metrics` is given.
 */
export async function startControlServer(
  supervisor: Supervisor,
  port: number,
  metrics?: PoolMetrics,
): Promise<ControlServer> {
  const server: Server = createServer((req, res) => handle(req, res, supervisor, metrics));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${bound}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
