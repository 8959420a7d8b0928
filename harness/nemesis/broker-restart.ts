import { AppError } from '../../lib/errors.ts';
import type { ManagedServer } from '../infra/types.ts';
import { specChecks } from './spec-checks.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

/** The servers this nemesis may kill: the brokers, not the sink or the proxy. */
const BROKER_SERVERS = ['kafka', 'redis'] as const satisfies readonly ManagedServer['name'][];

/** kill -9 the broker; heal: restart it on the same data dir (local provider only). */
export interface BrokerRestartSpec {
  kind: 'broker-restart';
  server: (typeof BROKER_SERVERS)[number];
}

export const brokerRestart: FaultPackage<BrokerRestartSpec> = {
  kind: 'broker-restart',
  fields: ['server'],
  validate: (spec, path) =>
    specChecks.oneOf(spec.server, BROKER_SERVERS, `${path}.server`, 'broker'),
  instant: false,
  hitsPools: false,
  kills: KILLS_NONE,
  async start(ctx, spec) {
    const server = ctx.infra.servers.get(spec.server);
    if (!server) {
      throw new AppError(
        'UNSUPPORTED_FAULT',
        `broker-restart needs servers the harness started; the ${ctx.infra.provider} provider has none`,
      );
    }
    const pid = server.pid;
    await server.kill();
    return { target: `${spec.server}:${pid}`, heal: () => server.restart() };
  },
  label: 'broker-restart',
};
