import { SCENARIOS } from '../../scenarios/index.ts';
import { describeDriverVariants } from '../support/driver-variants.ts';
import { useInfra } from '../support/infra.ts';
import { provesOn } from '../support/scenario-proof.ts';

/**
 * The scenarios a driver's variant (Kafka on @platformatic/kafka) must pass too, on its own
 * transport only: the clean path (smoke), and one per client path a fault reaches:
 * redelivery after a kill, whole pools gone while the load goes on, a new group on a
 * backlog, commits on a graceful revoke, a zombie, each link cut, a broker restart, dead
 * letters.
 */
const VARIANT_SCENARIOS = [
  'smoke',
  'crash-consumer',
  'consumer-outage',
  'late-consumers',
  'graceful-restart',
  'worker-pause',
  'partition-workers',
  'partition-producer',
  'broker-restart',
  'poison-message',
];

/**
 * The CI fault-injection suite: every scenario of the catalogue on real infrastructure,
 * with a fixed seed so a failure can be replayed with `npm run scenario <name> -- --seed`.
 * A run passes only if the checker finds nothing lost, doubled, unexpected or pending AND
 * the scenario's expectations show that its faults really bit.
 */
describe('fault scenarios (real brokers, real faults)', function () {
  const proves = provesOn(useInfra());

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.description}`, proves(scenario, `ci-${scenario.name}`));
  }

  describeDriverVariants(proves, VARIANT_SCENARIOS);
});
