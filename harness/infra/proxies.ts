import { Toxiproxy } from 'toxiproxy-node-client';

export interface ProxySpec {
  name: string;
  listenPort: number;
  upstream: string;
}

/**
 * (Re)creates every link proxy, enabled and without toxics. Idempotent, so it serves the
 * first start, a Toxiproxy restart and the final heal of a scenario alike.
 */
export async function ensureProxies(
  toxiproxyUrl: string,
  specs: readonly ProxySpec[],
  listenHost = '127.0.0.1',
): Promise<void> {
  const toxiproxy = new Toxiproxy(toxiproxyUrl);
  const existing = await toxiproxy.getAll();
  for (const spec of specs) {
    const listen = `${listenHost}:${spec.listenPort}`;
    const current = existing[spec.name];
    if (current && current.listen === listen && current.upstream === spec.upstream) continue;
    if (current) await current.remove();
    await toxiproxy.createProxy({ name: spec.name, listen, upstream: spec.upstream });
  }
}
