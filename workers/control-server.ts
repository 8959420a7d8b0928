import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePoolSize, POOL_SIZE_RULE } from './pool-size.ts';
import type { Supervisor } from './supervisor.ts';

export interface ControlServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The pool's control endpoint on loopback, for the harness:
 * `GET /state` -> PoolState JSON; `POST /scale?size=N` -> 200 with the state once the pool
 * has that size (scale-down waits for the removed workers to drain); a size that is not
 * decimal digits from 0 to 256 -> 400 `{error, field: 'size'}`.
 */
export async function startControlServer(
  supervisor: Supervisor,
  port: number,
): Promise<ControlServer> {
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/state' && req.method === 'GET') return reply(200, supervisor.state());
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
    if (url.pathname === '/state' || url.pathname === '/scale')
      return reply(405, { error: 'method not allowed' });
    return reply(404, { error: 'not found' });
  });
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
