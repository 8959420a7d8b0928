import { AppError } from '../../lib/errors.ts';
import type { FaultSpec } from '../../scenarios/types.ts';
import type { Nemesis } from './types.ts';

/** kill -9 a broker; heal: restart it on the same data dir (local provider only). */
export const brokerRestart: Nemesis<Extract<FaultSpec, { kind: 'broker-restart' }>> = async (
  ctx,
  fault,
) => {
  const server = ctx.infra.servers.get(fault.server);
  if (!server) {
    throw new AppError(
      'UNSUPPORTED_FAULT',
      `broker-restart needs servers the harness started; the ${ctx.infra.provider} provider has none`,
    );
  }
  const pid = server.pid;
  await server.kill();
  return { target: `${fault.server}:${pid}`, heal: () => server.restart() };
};
