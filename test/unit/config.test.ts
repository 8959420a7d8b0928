import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { describeOptions, loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';

describe('config', function () {
  it('uses the documented defaults with an empty environment', function () {
    const config = loadConfig({});
    expect(config.producer.port).to.equal(3000);
    expect(config.kafka.producerBrokers).to.deep.equal(config.kafka.brokers);
    expect(config.sink.workersUrl).to.equal(config.sink.url);
  });

  it('names the bad variable', function () {
    expect(() => loadConfig({ PRODUCER_PORT: 'eighty' })).to.throw(ConfigError, /PRODUCER_PORT/);
    expect(() => loadConfig({ KAFKA_BROKERS: 'nohostport' })).to.throw(
      ConfigError,
      /KAFKA_BROKERS/,
    );
    expect(() => loadConfig({ FAILPOINTS: 'not-a-failpoint' })).to.throw(
      ConfigError,
      /FAILPOINTS.*not-a-failpoint/,
    );
  });

  it('documents every option in the README', function () {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const missing = describeOptions()
      .map((line) => line.split(' ')[0] ?? '')
      .filter((name) => !readme.includes(`\`${name}\``));
    expect(missing, 'options missing from the README table').to.deep.equal([]);
  });
});
