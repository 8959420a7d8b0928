/**
 * One real infrastructure for the whole mocha run: started by the first suite that asks,
 * stopped by the root after-all hook. Starting Kafka once instead of per file keeps the
 * suite fast.
 */
import { loadConfig } from '../../lib/config.ts';
import { startInfra, type Infra } from '../../harness/infra/index.ts';

let infra: Promise<Infra> | undefined;

export function sharedInfra(): Promise<Infra> {
  infra ??= startInfra(loadConfig(), (line) => process.stderr.write(`      ${line}\n`));
  return infra;
}

/**
 * Call inside a `describe`: starts (or reuses) the infrastructure in a before-all hook and
 * returns a getter for it.
 */
export function useInfra(): () => Infra {
  let current: Infra | undefined;
  before(async function () {
    this.timeout(600000); // the first start may provision Kafka and Toxiproxy
    current = await sharedInfra();
  });
  return () => {
    if (!current) throw new Error('infra not started: call useInfra() inside describe()');
    return current;
  };
}

let cluster: Promise<Infra> | undefined;

/**
 * The cluster topology (3 Kafka nodes, Redis with Sentinel), started once for the suites
 * that need it (test/cluster, which npm test runs last). The single infrastructure is
 * stopped first: idle, it would take CPU from every cluster run on two cores. A later suite
 * asking for it again gets a fresh one.
 */
export function sharedClusterInfra(): Promise<Infra> {
  cluster ??= stopSingle().then(async () => {
    const started = Date.now();
    const infra = await startInfra(
      loadConfig({ ...process.env, INFRA_TOPOLOGY: 'cluster' }),
      (line) => process.stderr.write(`      ${line}\n`),
    );
    process.stderr.write(`      cluster start: ${Date.now() - started} ms\n`);
    return infra;
  });
  return cluster;
}

/** Stops the shared cluster now (the topology test's own check); a later ask starts another. */
export async function stopSharedCluster(): Promise<void> {
  const running = cluster;
  cluster = undefined;
  if (running) await (await running).stop();
}

async function stopSingle(): Promise<void> {
  const running = infra;
  infra = undefined;
  if (running) await (await running).stop();
}

/** As `useInfra`, for the cluster topology. */
export function useClusterInfra(): () => Infra {
  let current: Infra | undefined;
  before(async function () {
    this.timeout(600000);
    current = await sharedClusterInfra();
  });
  return () => {
    if (!current) throw new Error('cluster not started: call useClusterInfra() inside describe()');
    return current;
  };
}

/** Stops the shared infrastructures after the last test (mocha root hook plugin). */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60000);
    if (infra) await (await infra).stop();
    if (cluster) await (await cluster).stop();
  },
};
