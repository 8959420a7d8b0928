import { expect } from 'chai';
import { checkAllLinks } from '../../harness/infra/round-trip.ts';
import {
  dockerAvailable,
  startTestcontainersInfra,
} from '../../harness/infra/testcontainers-provider.ts';

/**
 * The testcontainers provider: the same topology in containers. It needs a Docker engine;
 * where none answers (as on the development machines) the test is skipped, saying why.
 */
describe('testcontainers provider (needs a Docker engine)', function () {
  before(async function () {
    if (!(await dockerAvailable())) {
      process.stderr.write(
        '      skipped: no Docker engine is reachable (the local provider covers these machines)\n',
      );
      this.skip();
    }
  });

  it('starts Kafka, two Redis and Toxiproxy, round-trips every link, and stops', async function () {
    this.timeout(600000);
    const infra = await startTestcontainersInfra((line) => process.stderr.write(`      ${line}\n`));
    try {
      const links = await checkAllLinks(infra.endpoints);
      expect(Object.keys(links)).to.have.length(5);
    } finally {
      await infra.stop();
    }
  });
});
