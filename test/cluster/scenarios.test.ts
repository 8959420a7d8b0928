import { CLUSTER_SCENARIOS } from '../../scenarios/index.ts';
import { describeDriverVariants } from '../support/driver-variants.ts';
import { useClusterInfra } from '../support/infra.ts';
import { provesOn } from '../support/scenario-proof.ts';

/** Faults aimed at broker roles, on one cluster (3 Kafka nodes, Redis with Sentinel) they share. */
describe('cluster fault scenarios (replicated brokers, role faults)', function () {
  const proves = provesOn(useClusterInfra());
  for (const scenario of CLUSTER_SCENARIOS) {
    it(`${scenario.name}: ${scenario.description}`, proves(scenario, `ci-${scenario.name}`));
  }

  // A variant runs every cluster scenario that loads its transport.
  describeDriverVariants(
    proves,
    CLUSTER_SCENARIOS.map((s) => s.name),
  );
});
