import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import kafkajs from 'kafkajs';
import { MultipleErrors, NetworkError, Reader, ResponseError } from '@platformatic/kafka';
import { parseScenarioArgs } from '../../harness/cli/scenario-args.ts';
import { applyOverrides } from '../../harness/scenario-overrides.ts';
import { getScenario, SCENARIO_NAMES } from '../../scenarios/index.ts';
import { loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import {
  decodeOwned,
  encodeOwned,
  stickyAssign,
} from '../../lib/transports/kafka/platformatic/assignor.ts';
import { createFairLimiter } from '../../lib/transports/kafka/platformatic/fair-limiter.ts';
import type { PlatformaticMessage } from '../../lib/transports/kafka/platformatic/batches.ts';
import { createPartitionWork } from '../../lib/transports/kafka/platformatic/partition-work.ts';
import { partitionFor } from '../../lib/transports/kafka/platformatic/partition.ts';
import {
  combineFates,
  requestOutcome,
  sendFates,
} from '../../lib/transports/kafka/platformatic/send-fates.ts';
import { createSerialBatcher } from '../../lib/transports/kafka/platformatic/serial-batcher.ts';
import {
  fixTaggedFields,
  readsTaggedFields,
} from '../../lib/transports/kafka/platformatic/wire-fix.ts';

const TOPIC = 't';

/** A Produce (v11) answer as the client builds its error: one code per partition. */
function produceAnswer(codes: Record<number, number>): ResponseError {
  const partitionResponses = Object.entries(codes).map(([index, errorCode]) => ({
    index: Number(index),
    errorCode,
    baseOffset: errorCode === 0 ? 7n : -1n,
  }));
  const errors = Object.fromEntries(
    partitionResponses
      .filter((p) => p.errorCode !== 0)
      .map((p, j) => [
        `/responses/0/partition_responses/${j}`,
        [p.errorCode, null] as [number, null],
      ]),
  );
  return new ResponseError(0, 11, errors, { responses: [{ name: TOPIC, partitionResponses }] });
}

const refused = () =>
  new NetworkError('Connection error', {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });

describe('kafka on @platformatic/kafka: the pure parts', function () {
  describe('KAFKA_CLIENT', function () {
    it('defaults to kafkajs, takes platformatic, names the variable when wrong', function () {
      expect(loadConfig({}).kafka.client).to.equal('kafkajs');
      expect(loadConfig({ KAFKA_CLIENT: 'platformatic' }).kafka.client).to.equal('platformatic');
      expect(() => loadConfig({ KAFKA_CLIENT: 'rdkafka' }))
        .to.throw(ConfigError)
        .with.property('message')
        .that.includes('KAFKA_CLIENT')
        .and.includes('kafkajs, platformatic');
    });
  });

  describe('npm run scenario <name> -- --kafka-client', function () {
    it('sets KAFKA_CLIENT for every service of the run and the harness', function () {
      const parsed = parseScenarioArgs(['smoke', '--kafka-client', 'platformatic'], SCENARIO_NAMES);
      if (parsed.kind !== 'run') throw new Error(JSON.stringify(parsed));
      expect(parsed.args.env).to.deep.equal({ KAFKA_CLIENT: 'platformatic' });
      const s = applyOverrides(getScenario('crash-consumer')!, parsed.args);
      // The scenario's own env stays; the run's services and config read it (scenario-system.ts).
      expect(s.workers.env).to.include({
        KAFKA_CLIENT: 'platformatic',
        KAFKA_SESSION_TIMEOUT_MS: '4000',
      });
      expect(loadConfig(s.workers.env).kafka.client).to.equal('platformatic');
    });

    it('refuses a client it does not know, naming both', function () {
      const parsed = parseScenarioArgs(['smoke', '--kafka-client=rdkafka'], SCENARIO_NAMES);
      expect(parsed).to.include({ kind: 'error' });
      expect((parsed as { message: string }).message).to.include('kafkajs or platformatic');
    });
  });

  describe('the tagged-field fix (KIP-482)', function () {
    it('reads a tagged field and what follows it once applied', function () {
      fixTaggedFields();
      expect(readsTaggedFields()).to.equal(true);
      // Two fields (tags 0 and 1, 1 and 3 bytes), then an int32.
      const r = Reader.from(
        Buffer.from([0x02, 0x00, 0x01, 0xaa, 0x01, 0x03, 1, 2, 3, 0, 0, 0, 42]),
      );
      r.readTaggedFields();
      expect(r.readInt32()).to.equal(42);
    });
  });

  describe('partitionFor', function () {
    it('puts every key where kafkajs (and the Java client) put it', function () {
      const partitioner = kafkajs.Partitioners.DefaultPartitioner();
      for (const partitions of [1, 3, 6, 7, 100]) {
        const metadata = Array.from({ length: partitions }, (_, partitionId) => ({
          partitionId,
          leader: 1,
        }));
        for (let i = 0; i < 2000; i += 1) {
          const key = `key-${i}-${'é'.repeat(i % 5)}`;
          const theirs = partitioner({
            topic: TOPIC,
            partitionMetadata: metadata as never,
            message: { key, value: null },
          });
          expect(partitionFor(Buffer.from(key), partitions), key).to.equal(theirs);
        }
      }
    });
  });

  describe('sendFates', function () {
    it('no error: every partition written', function () {
      const f = sendFates(TOPIC, [0, 1], undefined);
      expect([...f.values()].map((x) => x.fate)).to.deep.equal(['written', 'written']);
    });

    it('reads per-partition answers: appended, refused before the append, unknown', function () {
      // 0 appended; 1 NOT_LEADER_OR_FOLLOWER; 2 NOT_ENOUGH_REPLICAS_AFTER_APPEND (written
      // to the leader, too few replicas): not proof of anything.
      const err = new MultipleErrors('Producing messages failed.', [
        produceAnswer({ 0: 0, 1: 6, 2: 20 }),
      ]);
      const f = sendFates(TOPIC, [0, 1, 2, 3], err);
      expect(f.get(0)).to.include({ fate: 'written' });
      expect(f.get(1)).to.include({
        fate: 'rejected',
        retriable: true,
        error: 'NOT_LEADER_OR_FOLLOWER',
      });
      expect(f.get(2)).to.include({ fate: 'unknown' });
      // No answer at all for partition 3.
      expect(f.get(3)).to.include({ fate: 'unknown' });
    });

    it('a too-large refusal is not worth resending', function () {
      const f = sendFates(TOPIC, [0], produceAnswer({ 0: 10 }));
      expect(f.get(0)).to.include({
        fate: 'rejected',
        retriable: false,
        error: 'MESSAGE_TOO_LARGE',
      });
    });

    it('other leaders that answered count as written (`produced`)', function () {
      const err = Object.assign(
        new MultipleErrors('Producing messages failed.', [new NetworkError('Connection closed')]),
        {
          produced: { offsets: [{ topic: TOPIC, partition: 4, offset: 1n }] },
        },
      );
      const f = sendFates(TOPIC, [3, 4], err);
      expect(f.get(3)).to.include({ fate: 'unknown' });
      expect(f.get(4)).to.include({ fate: 'written' });
    });

    it('a connection that never opened sent nothing; a closed one may have', function () {
      expect(sendFates(TOPIC, [0], refused()).get(0)).to.include({ fate: 'rejected' });
      const both = new MultipleErrors('Producing messages failed.', [
        refused(),
        new NetworkError('Connection closed'),
      ]);
      expect(sendFates(TOPIC, [0], both).get(0)).to.include({ fate: 'unknown' });
      expect(sendFates(TOPIC, [0], new Error('Out of bounds.')).get(0)).to.include({
        fate: 'unknown',
      });
    });
  });

  describe('combineFates and requestOutcome', function () {
    it('written once is written; unknown once stays unknown unless written later', function () {
      expect(combineFates('unknown', 'written')).to.equal('written');
      expect(combineFates('written', 'rejected')).to.equal('written');
      expect(combineFates('unknown', 'rejected')).to.equal('unknown');
      expect(combineFates('rejected', 'rejected')).to.equal('rejected');
    });

    it('202 only when all are in, 503 only when provably none is, else 504', function () {
      expect(requestOutcome(['written', 'written'])).to.equal('ok');
      expect(requestOutcome(['rejected', 'rejected'])).to.equal('not-sent');
      expect(requestOutcome(['written', 'rejected'])).to.equal('indeterminate');
      expect(requestOutcome(['rejected', 'unknown'])).to.equal('indeterminate');
    });
  });

  describe('createSerialBatcher', function () {
    it('flushes one batch at a time; what arrives meanwhile goes out together next', async function () {
      const flushed: number[][] = [];
      let running = 0;
      let most = 0;
      const b = createSerialBatcher<number>({
        lingerMs: 0,
        maxWeight: 100,
        weightOf: () => 1,
        flush: async (items) => {
          running += 1;
          most = Math.max(most, running);
          flushed.push(items);
          await sleep(20);
          running -= 1;
        },
        onError: () => undefined,
      });
      b.add(1);
      b.add(2);
      await sleep(5);
      for (let i = 3; i <= 6; i += 1) b.add(i);
      await b.drain();
      expect(most).to.equal(1);
      expect(flushed).to.deep.equal([
        [1, 2],
        [3, 4, 5, 6],
      ]);
    });

    it('keeps each flush within maxWeight and reports a failed flush', async function () {
      const flushed: number[][] = [];
      const errors: unknown[] = [];
      const b = createSerialBatcher<number>({
        lingerMs: 0,
        maxWeight: 5,
        weightOf: (n) => n,
        flush: (items) => {
          flushed.push(items);
          return items.includes(9) ? Promise.reject(new Error('boom')) : Promise.resolve();
        },
        onError: (err) => errors.push(err),
      });
      for (const n of [2, 2, 2, 9, 1]) b.add(n);
      await b.drain();
      expect(flushed).to.deep.equal([[2, 2], [2], [9], [1]]);
      expect(errors).to.have.length(1);
    });
  });

  describe('the cooperative sticky assignor', function () {
    const owned = (entries: Record<string, number[]>) => new Map(Object.entries(entries));
    const plan = (entries: Record<string, number[]>, partitions: number) =>
      Object.fromEntries(stickyAssign(owned(entries), partitions));

    it('gives everything to the only member, and splits unowned partitions evenly', function () {
      expect(plan({ a: [] }, 4)).to.deep.equal({ a: [0, 1, 2, 3] });
      expect(plan({ a: [], b: [] }, 5)).to.deep.equal({ a: [0, 1, 2], b: [3, 4] });
    });

    it('keeps what members own; a partition that must move goes to nobody this round', function () {
      // b joins: a keeps its share (2), partitions 2 and 3 wait for a to let them go.
      expect(plan({ a: [0, 1, 2, 3], b: [] }, 4)).to.deep.equal({ a: [0, 1], b: [] });
      // a let them go: now unowned, they go to b.
      expect(plan({ a: [0, 1], b: [] }, 4)).to.deep.equal({ a: [0, 1], b: [2, 3] });
    });

    it("hands a leaving member's partitions out at once, moving nothing else", function () {
      // c left (its partitions 4 and 5 are unowned): a and b keep theirs and share them.
      expect(plan({ a: [0, 1], b: [2, 3] }, 6)).to.deep.equal({ a: [0, 1, 4], b: [2, 3, 5] });
    });

    it('never assigns a partition twice, whatever members claim', function () {
      const p = plan({ a: [0, 1, 2], b: [1, 2, 3], c: [9] }, 4);
      const all = Object.values(p).flat();
      expect(new Set(all).size).to.equal(all.length);
      expect(p.a).to.deep.equal([0, 1]);
    });

    it('round-trips what a member owns through its subscription user data', function () {
      expect(decodeOwned('t', encodeOwned('t', [3, 1]))).to.deep.equal([1, 3]);
      expect(decodeOwned('other', encodeOwned('t', [3, 1]))).to.deep.equal([]);
      expect(decodeOwned('t', Buffer.alloc(0))).to.deep.equal([]);
      expect(decodeOwned('t', null)).to.deep.equal([]);
    });
  });

  describe('createFairLimiter', function () {
    it('bounds the tasks in flight and gives free slots to the lanes in turn', async function () {
      const limit = createFairLimiter(2);
      const order: string[] = [];
      let running = 0;
      let most = 0;
      const task = (name: string) => async () => {
        running += 1;
        most = Math.max(most, running);
        order.push(name);
        await sleep(5);
        running -= 1;
      };
      // Lane 1 queues a backlog first; lane 2 arrives later with one task.
      const all = [1, 2, 3, 4, 5].map((i) => limit(1, task(`a${i}`)));
      await sleep(1);
      all.push(limit(2, task('b1')));
      await Promise.all(all);
      expect(most).to.equal(2);
      // b1 gets the first slot that frees, not the one after a's backlog.
      expect(order.slice(0, 3)).to.deep.equal(['a1', 'a2', 'b1']);
      expect(order).to.have.length(6);
    });
  });

  describe('createPartitionWork', function () {
    const message = (offset: bigint, generationId: number) =>
      ({
        key: undefined,
        value: Buffer.from('{}'),
        headers: new Map(),
        topic: 't',
        partition: 3,
        timestamp: 0n,
        offset,
        metadata: { consumer: { generationId } },
      }) as unknown as PlatformaticMessage;
    const work = (hungryMs: number) =>
      createPartitionWork(
        {
          concurrency: 2,
          limit: createFairLimiter(2),
          handle: () => Promise.resolve(true),
          receipts: { chunk: (ms) => Promise.resolve(ms.map(() => 1)) },
          commitNow: () => Promise.resolve(),
          onProgress: () => undefined,
        },
        3,
        4,
        hungryMs,
      );

    it('is hungry from its assignment until it takes its first message', function () {
      const w = work(60_000);
      expect(w.hungry()).to.equal(true);
      // A message fetched under an older generation is not taken: still hungry.
      expect(w.push([message(10n, 3)])).to.equal(0);
      expect(w.hungry()).to.equal(true);
      expect(w.push([message(10n, 4)])).to.equal(1);
      expect(w.hungry()).to.equal(false);
    });

    it('is hungry only for the window it was given', async function () {
      const w = work(20);
      expect(w.hungry()).to.equal(true);
      await sleep(30);
      expect(w.hungry()).to.equal(false);
      expect(work(0).hungry()).to.equal(false);
    });
  });
});
