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

  it('reports every bad variable at once, not only the first', function () {
    let error: unknown;
    try {
      loadConfig({ PRODUCER_PORT: 'eighty', KAFKA_BROKERS: 'nohostport', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).to.match(/^3 variables are invalid:/);
    for (const name of ['PRODUCER_PORT', 'KAFKA_BROKERS', 'LOG_LEVEL'])
      expect(message, name).to.contain(name);
    const cause = (error as ConfigError).cause;
    expect(cause).to.be.instanceOf(AggregateError);
    expect((cause as AggregateError).errors).to.have.length(3);
  });

  it('describes every option with its default and the unit its name carries', function () {
    const lines = describeOptions();
    const line = (name: string) => lines.find((l) => l.split(' ')[0] === name) ?? '';
    expect(line('PRODUCER_ACK_TIMEOUT_MS')).to.match(/^PRODUCER_ACK_TIMEOUT_MS +5000 ms +wait/);
    expect(line('PRODUCER_BODY_LIMIT_BYTES')).to.match(/ 4194304 bytes /);
    expect(line('PRODUCER_RETRY_AFTER_SECONDS')).to.match(/ 1 s /);
    expect(line('BULLMQ_KEEP_COMPLETED_S')).to.match(/ 3600 s /);
    expect(line('KAFKA_HEAP_MB')).to.match(/ 512 MB /);
    expect(line('WORKER_CONCURRENCY')).to.match(/ 16 +events/);
    expect(line('TOXIPROXY_URL')).to.match(/ unset +Toxiproxy/);
    // Aligned columns: the descriptions all start at the same place.
    const starts = new Set(lines.map((l) => l.indexOf(l.split(/ {2,}/)[2] ?? '')));
    expect(starts.size).to.equal(1);
  });
});
