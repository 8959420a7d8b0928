import { getScenario } from '../../scenarios/index.ts';
import { applyOverrides } from '../../harness/scenario-overrides.ts';
import { drivers } from '../../lib/transports/registry.ts';
import type { Scenario } from '../../harness/scenario.ts';

type Proves = (scenario: Scenario, seed: string) => (this: Mocha.Context) => Promise<void>;

/**
 * One `describe` per driver variant (Kafka on @platformatic/kafka), running those of the
 * scenarios `names` that load the variant's transport, on that transport alone.
 */
export function describeDriverVariants(proves: Proves, names: readonly string[]): void {
  for (const driver of drivers) {
    for (const variant of driver.variants ?? []) {
      describe(`on ${driver.name} (${variant.name})`, function () {
        for (const name of names) {
          const base = getScenario(name);
          if (!base) throw new Error(`no scenario ${name}`);
          if (base.transports && !base.transports.includes(driver.name)) continue;
          const scenario = applyOverrides(base, { transports: [driver.name], env: variant.env });
          // Seeds stay within --seed's 32 characters: ci-partition-producer-plat.
          it(
            `${name}: ${base.description}`,
            proves(scenario, `ci-${name}-${variant.name.slice(0, 4)}`),
          );
        }
      });
    }
  }
}
