import { expect } from 'chai';
import type { Infra } from '../../harness/infra/index.ts';
import { checkAllLinks, kafkaRoundTrip, redisRoundTrip } from '../../harness/infra/round-trip.ts';
import {
  dockerAvailable,
  startTestcontainersInfra,
} from '../../harness/infra/testcontainers-provider.ts';

/**
 * The testcontainers provider: the same topology in containers. It needs a Docker engine;
 * where none answers (as on the development machines) the tests are skipped, saying why.
 */
describe('testcontainers provider (needs a Docker engine)', function () {
  let infra: Infra | undefined;
  before(async function () {
    this.timeout(600000);
    if (!(await dockerAvailable())) {
      process.stderr.write(
        '      skipped: no Docker engine is reachable (the local provider covers these machines)\n',
      );
      this.skip();
    }
    infra = await startTestcontainersInfra((line) => process.stderr.write(`      ${line}\n`));
  });
  after(async function () {
    this.timeout(60000);
    await infra?.stop();
  });
  const started = () => {
    if (!infra) throw new Error('not started');
    return infra;
  };

  it('starts Kafka, two Redis and Toxiproxy and round-trips every link', async function () {
    this.timeout(120000);
    const links = await checkAllLinks(started().endpoints);
    expect(Object.keys(links)).to.have.length(5);
  });

  it('kills and restarts Kafka and the broker Redis through their containers, same addresses', async function () {
    this.timeout(300000);
    const { servers, endpoints } = started();
    const before = JSON.stringify(endpoints);
    for (const name of ['kafka', 'redis'] as const) {
      const server = servers.get(name);
      expect(server, name).to.not.equal(undefined);
      await server?.kill();
      expect(server?.running, name).to.equal(false);
      await server?.restart();
      expect(server?.running, name).to.equal(true);
    }
    expect(JSON.stringify(endpoints)).to.equal(before);
    expect(await kafkaRoundTrip(endpoints.kafka.workers)).to.be.a('number');
    expect(await redisRoundTrip(endpoints.redis.workers)).to.be.a('number');
  });
});
