import type { Config } from '../../lib/config.ts';
import { PrerequisiteError } from '../../lib/errors.ts';
import { startExternalInfra } from './external-provider.ts';
import { startLocalInfra } from './local-provider.ts';
import { cacheDir } from './paths.ts';
import { dockerAvailable, startTestcontainersInfra } from './testcontainers-provider.ts';
import type { Infra } from './types.ts';

export type { Endpoints, Infra, ManagedServer, ProxyName } from './types.ts';
export { endpointsToEnv, PROXIES } from './types.ts';

/**
 * Starts infrastructure with the first provider that fits (DESIGN §4): `external` when
 * TOXIPROXY_URL names running servers, else `local` (embedded), else `testcontainers` when a
 * Docker engine answers. INFRA_PROVIDER forces one.
 */
export async function startInfra(config: Config, log?: (line: string) => void): Promise<Infra> {
  const provider =
    config.infra.provider === 'auto'
      ? config.infra.toxiproxyUrl !== ''
        ? 'external'
        : 'local'
      : config.infra.provider;
  if (provider === 'external') return startExternalInfra(config);
  if (provider === 'testcontainers') return startTestcontainersInfra(log);
  const local = {
    cacheDir: cacheDir(config.infra.cacheDir),
    kafkaHeapMb: config.infra.kafkaHeapMb,
    log,
  };
  try {
    return await startLocalInfra(local);
  } catch (err) {
    // Only a missing prerequisite falls through to Docker; a real start failure is reported.
    if (
      config.infra.provider === 'auto' &&
      err instanceof PrerequisiteError &&
      (await dockerAvailable())
    ) {
      log?.(
        `local infrastructure unavailable (${err.message.split('.')[0]}); using testcontainers`,
      );
      return startTestcontainersInfra(log);
    }
    throw err;
  }
}
