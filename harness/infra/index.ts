import type { Config } from '../../lib/config.ts';
import { PrerequisiteError } from '../../lib/errors.ts';
import { startExternalInfra } from './external-provider.ts';
import { startClusterInfra } from './cluster-provider.ts';
import { startLocalInfra } from './local-provider.ts';
import { cacheDir } from './paths.ts';
import { dockerAvailable, startTestcontainersInfra } from './testcontainers-provider.ts';
import type { Infra } from './types.ts';

export type { Endpoints, Infra, ManagedServer, ProxyName, Topology } from './types.ts';
export { endpointsToEnv, PROXIES, TOPOLOGIES } from './types.ts';

/**
 * Starts infrastructure with the first provider that fits (DESIGN §4): `external` when
 * TOXIPROXY_URL names running servers, else `local` (embedded), else `testcontainers` when a
 * Docker engine answers. INFRA_PROVIDER forces one. INFRA_TOPOLOGY=cluster (local only)
 * replicates the brokers.
 */
export async function startInfra(config: Config, log?: (line: string) => void): Promise<Infra> {
  if (config.infra.topology === 'cluster') return startCluster(config, log);
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

/** The cluster topology exists for the local provider only (containers: see the compose profile). */
function startCluster(config: Config, log?: (line: string) => void): Promise<Infra> {
  if (config.infra.provider === 'external' || config.infra.provider === 'testcontainers') {
    throw new PrerequisiteError(
      `INFRA_TOPOLOGY=cluster needs the local provider; INFRA_PROVIDER is ${config.infra.provider}`,
    );
  }
  return startClusterInfra({
    cacheDir: cacheDir(config.infra.cacheDir),
    kafkaHeapMb: config.infra.kafkaNodeHeapMb,
    log,
  });
}
