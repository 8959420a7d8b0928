import { CLUSTER_SCENARIOS } from '../../scenarios/index.ts';
import { describeDriverVariants } from '../support/driver-variants.ts';
import { useClusterInfra } from '../support/infra.ts';
import { provesOn } from '../support/scenario-proof.ts';

/**
 * The cluster scenarios a driver's variant must pass too: a leader killed (the client
 * follows new leaders, commits through the move) and a node cut off from clients and peers
 * (requests to a node that no longer answers). The others aim at Redis, or at roles the
 * client only sees as those two.
 */
const CLUSTER_VARIANT_SCENARIOS = ['broker-failover', 'leader-isolation'];

/** Faults aimed at broker roles, on one cluster (3 Kafka nodes, Redis with Sentinel) they share. */
describe('cluster fault scenarios (replicated brokers, role faults)', function () {
  const proves = provesOn(useClusterInfra());
  for (const scenario of CLUSTER_SCENARIOS) {
    it(`${scenario.name}: ${scenario.description}`, proves(scenario, `ci-${scenario.name}`));
  }

  describeDriverVariants(proves, CLUSTER_VARIANT_SCENARIOS);
});
