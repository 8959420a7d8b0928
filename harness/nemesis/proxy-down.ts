import type { Toxiproxy } from 'toxiproxy-node-client';
import { proxiesFor } from './links.ts';
import { checkProxyTarget, type ProxyTarget } from './proxy-target.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** Disable a Toxiproxy link (connections are cut and new ones refused); heal: enable it. */
export interface ProxyDownSpec {
  kind: 'proxy-down';
  proxy: ProxyTarget;
}

/** Enables or disables the named proxies (cluster links too: any name Toxiproxy knows). */
export async function setEnabled(toxiproxy: Toxiproxy, names: readonly string[], enabled: boolean) {
  for (const name of names) {
    const proxy = await toxiproxy.get(name);
    await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
  }
}

export const proxyDown: FaultPackage<ProxyDownSpec> = {
  kind: 'proxy-down',
  fields: ['proxy'],
  validate: (spec, path) => checkProxyTarget(spec.proxy, `${path}.proxy`),
  instant: false,
  hitsPools: false,
  // A worker cut off from its broker keeps handling what it holds while another takes over.
  allowsZombies: true,
  kills: KILLS_NONE,
  async start(ctx, spec) {
    const names = proxiesFor(spec.proxy, ctx.transports);
    await setEnabled(ctx.toxiproxy, names, false);
    return { target: names.join(','), heal: () => setEnabled(ctx.toxiproxy, names, true) };
  },
  label: 'proxy-down',
};
