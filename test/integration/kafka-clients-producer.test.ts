/**
 * What the Kafka producer answers when the broker refuses some partitions of a request,
 * per client. kafkajs reports one partition's error for a whole produce request, so any
 * refused multi-event request is 504 (indeterminate). @platformatic/kafka returns every
 * partition's answer, and the publisher answers each merged request from its own records:
 * provably none appended 503, all appended 202, a mix 504.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import {
  Admin,
  ConfigResourceTypes,
  IncrementalAlterConfigOperationTypes,
} from '@platformatic/kafka';
import { loadConfig, type Config } from '../../lib/config.ts';
import type { EventEnvelope } from '../../lib/envelope.ts';
import { IndeterminateError, NotSentError } from '../../lib/errors.ts';
import { waitForPublishers } from '../../lib/transports/publisher.ts';
import { driverFor } from '../../lib/transports/registry.ts';
import { partitionFor } from '../../lib/transports/kafka/platformatic/partition.ts';
import type { Publisher } from '../../lib/transports/types.ts';
import { useInfra } from '../support/infra.ts';
import { producerEnv } from './producer-support.ts';

const kafka = driverFor('kafka');
const PARTITIONS = 3;

const event = (id: string, key: string, bytes = 50): EventEnvelope => ({
  id,
  type: 't',
  key,
  payload: { pad: 'x'.repeat(bytes) },
  producedAt: new Date().toISOString(),
});

/** A key whose partition differs from `other`'s. */
function keyApartFrom(other: string): string {
  const taken = partitionFor(Buffer.from(other), PARTITIONS);
  for (let i = 0; ; i += 1)
    if (partitionFor(Buffer.from(`k${i}`), PARTITIONS) !== taken) return `k${i}`;
}

/** The outcome of a publish: 'ok', or the class of its error. */
const outcome = (p: Promise<void>) =>
  p.then(
    () => 'ok',
    (err: unknown) =>
      err instanceof NotSentError ? 503 : err instanceof IndeterminateError ? 504 : String(err),
  );

describe('kafka producer: per-partition answers of a refused request (real broker)', function () {
  this.timeout(120_000);
  const infra = useInfra();

  async function withPublisher(
    client: string,
    use: (
      p: Publisher,
      config: Config,
      setTopic: (name: string, value: string) => Promise<void>,
    ) => Promise<void>,
  ) {
    const config = loadConfig(
      producerEnv(infra(), { KAFKA_CLIENT: client, KAFKA_PARTITIONS: String(PARTITIONS) }),
    );
    const publisher = kafka.createPublisher(config, { logger: pino({ level: 'silent' }) });
    const admin = new Admin({
      clientId: 'test-admin',
      bootstrapBrokers: [infra().endpoints.kafka.direct],
    });
    const setTopic = (name: string, value: string) =>
      admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: config.kafka.topic,
            configs: [{ name, configOperation: IncrementalAlterConfigOperationTypes.SET, value }],
          },
        ],
      });
    try {
      expect(await waitForPublishers([publisher], 30_000), 'publisher ready').to.equal(true);
      await use(publisher, config, setTopic);
    } finally {
      await publisher.close();
      await kafka
        .inspect(config)
        .removeAll()
        .catch(() => undefined);
      await admin.close();
    }
  }

  it('platformatic: a multi-event request the broker refused everywhere is 503, and nothing is stored', async function () {
    await withPublisher('platformatic', async (publisher, config, setTopic) => {
      // The limit was read at setup (1 MB); the topic now refuses every batch (MESSAGE_TOO_LARGE).
      await setTopic('max.message.bytes', '100');
      const events = [event('ne-1', 'a'), event('ne-2', 'b'), event('ne-3', 'c')];
      expect(await outcome(publisher.publish(events))).to.equal(503);
      await setTopic('max.message.bytes', '1048588');
      expect(await outcome(publisher.publish([event('ne-after', 'a')]))).to.equal('ok');
      const stored = await kafka.inspect(config).storedIds();
      expect([...stored].sort()).to.deep.equal(['ne-after']);
    });
  });

  it('kafkajs: the same refusal of a multi-event request can only be 504', async function () {
    await withPublisher('kafkajs', async (publisher, _config, setTopic) => {
      await setTopic('max.message.bytes', '100');
      const events = [event('kj-1', 'a'), event('kj-2', 'b')];
      expect(await outcome(publisher.publish(events))).to.equal(504);
    });
  });

  it('platformatic: merged requests each get their own answer: refused 503, appended 202, mixed 504', async function () {
    await withPublisher('platformatic', async (publisher, config, setTopic) => {
      // Read at setup, the limit is the broker's 1 MB; the topic now takes 2000 bytes a batch,
      // so the batch of key a's partition is refused (MESSAGE_TOO_LARGE) and b's is not.
      await setTopic('max.message.bytes', '2000');
      const b = keyApartFrom('a');
      // Published in one turn: one flush, one produce request.
      const refused = outcome(publisher.publish([1, 2, 3].map((i) => event(`big-${i}`, 'a', 600))));
      const appended = outcome(publisher.publish([event('small-b', b)]));
      const mixed = outcome(publisher.publish([event('mix-a', 'a'), event('mix-b', b)]));
      expect({
        refused: await refused,
        appended: await appended,
        mixed: await mixed,
      }).to.deep.equal({
        refused: 503,
        appended: 'ok',
        mixed: 504,
      });
      const stored = await kafka.inspect(config).storedIds();
      expect([...stored].sort()).to.deep.equal(['mix-b', 'small-b']);
    });
  });

  it('platformatic: 400 concurrent requests are all stored, once each (one produce request at a time)', async function () {
    await withPublisher('platformatic', async (publisher, config) => {
      const ids: string[] = [];
      const calls = Array.from({ length: 400 }, (_, i) => {
        const events = [event(`c-${i}-0`, `key-${i % 7}`), event(`c-${i}-1`, `key-${i % 5}`)];
        ids.push(...events.map((e) => e.id));
        return publisher.publish(events);
      });
      await Promise.all(calls);
      const stored = await kafka.inspect(config).storedIds();
      expect(stored.size).to.equal(ids.length);
      const marks = await kafka.inspect(config).pending();
      // No group read it: the lag is every record in the topic, each written once.
      expect(marks.pending).to.equal(ids.length);
    });
  });
});
