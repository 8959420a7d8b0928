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

  it('keeps one README table row per option and nothing else', function () {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split('\n## Configuration\n')[1]?.split('\n## ')[0] ?? '';
    const rows = section.split('\n').filter((line) => line.startsWith('|'));
    const names = describeOptions().map((line) => line.split(' ')[0] ?? '');
    // Header and separator, then three cells per row with the variable in the first.
    expect(rows.slice(0, 2).map((r) => r.split('|').length)).to.deep.equal([5, 5]);
    const body = rows.slice(2);
    const stray = body.filter((row) => !/^\| `[A-Z0-9_]+` +\|[^|]*\|[^|]*\|$/.test(row));
    expect(stray, 'rows that are not an option').to.deep.equal([]);
    expect(body.map((row) => /`([A-Z0-9_]+)`/.exec(row)?.[1])).to.have.members(names);
  });
});
