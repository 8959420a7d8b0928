import { CLUSTER_SCENARIOS } from '../../scenarios/index.ts';
import { describeDriverVariants } from '../support/driver-variants.ts';
import { useClusterInfra } from '../support/infra.ts';
import { provesOn } from '../support/scenario-proof.ts';

/**
 * Left out of the variant runs, an open finding: after a leader pause or a rolling restart
 * moves the group coordinator, a @platformatic/kafka member's commits can fail with
 * NOT_COORDINATOR until the drain (CI: leader-pause pending 154, rolling-broker-restart
 * pending 662, nothing lost). kafkajs runs them.
 */
const VARIANT_OPEN_FINDINGS = new Set(['leader-pause', 'rolling-broker-restart']);

/** Faults aimed at broker roles, on one cluster (3 Kafka nodes, Redis with Sentinel) they share. */
describe('cluster fault scenarios (replicated brokers, role faults)', function () {
  const proves = provesOn(useClusterInfra());
  for (const scenario of CLUSTER_SCENARIOS) {
    it(`${scenario.name}: ${scenario.description}`, proves(scenario, `ci-${scenario.name}`));
  }

  // A variant runs every cluster scenario that loads its transport, but the open findings.
  describeDriverVariants(
    proves,
    CLUSTER_SCENARIOS.map((s) => s.name).filter((n) => !VARIANT_OPEN_FINDINGS.has(n)),
  );
});
