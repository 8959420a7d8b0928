import { expect } from 'chai';
import { IndeterminateError } from '../../lib/errors.ts';
import { createMicroBatcher } from '../../lib/micro-batcher.ts';
import { bullmqJobId, eventIdFromJobId } from '../../lib/transports/bullmq/job-id.ts';
import { withTimeout } from '../../lib/with-timeout.ts';

describe('producer micro-batching and helpers', () => {
  it('merges concurrent adds into one flush and answers each only after it', async () => {
    const flushes: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = createMicroBatcher<number>({
      lingerMs: 5,
      maxItems: 100,
      flush: async (items) => {
        flushes.push(items);
        await gate;
      },
    });
    let settled = 0;
    const all = [batcher.add([1, 2]), batcher.add([3]), batcher.add([4, 5])].map((p) =>
      p.then(() => settled++),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(flushes).to.deep.equal([[1, 2, 3, 4, 5]]);
    expect(settled).to.equal(0);
    release();
    await Promise.all(all);
    expect(settled).to.equal(3);
  });

  it('never splits one add across flushes and fails every caller of a failed flush', async () => {
    const flushes: number[][] = [];
    const batcher = createMicroBatcher<number>({
      lingerMs: 50,
      maxItems: 4,
      flush: (items) => {
        flushes.push(items);
        return items.includes(9)
          ? Promise.reject(new IndeterminateError('no ack'))
          : Promise.resolve();
      },
    });
    const a = batcher.add([1, 2, 3]);
    const b = batcher.add([9, 8]);
    await a;
    const err = await b.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(IndeterminateError);
    expect(flushes).to.deep.equal([
      [1, 2, 3],
      [9, 8],
    ]);
  });

  it('drain flushes what waits', async () => {
    const flushes: number[][] = [];
    const batcher = createMicroBatcher<number>({
      lingerMs: 10_000,
      maxItems: 10,
      flush: (items) => {
        flushes.push(items);
        return Promise.resolve();
      },
    });
    const p = batcher.add([1]);
    await batcher.drain();
    await p;
    expect(flushes).to.deep.equal([[1]]);
  });

  it('withTimeout rejects with the given error and ignores a late rejection', async () => {
    const late = new Promise<void>((_, reject) => setTimeout(() => reject(new Error('late')), 30));
    const err = await withTimeout(late, 5, () => new IndeterminateError('timeout')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(IndeterminateError);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await withTimeout(Promise.resolve(3), 5, () => new Error('x'))).to.equal(3);
  });

  it('maps event ids to BullMQ job ids one-to-one', () => {
    const ids = ['abc', '123', '-5', '007', 'a:b', 'a:b:c', '1.5', 'x-1', '12:30'];
    const jobIds = ids.map(bullmqJobId);
    expect(new Set(jobIds).size).to.equal(ids.length);
    expect(jobIds.map(eventIdFromJobId)).to.deep.equal(ids);
    for (const jobId of jobIds) {
      expect(`${parseInt(jobId, 10)}` === jobId, jobId).to.equal(false);
      expect(jobId.includes(':'), jobId).to.equal(false);
    }
    expect(bullmqJobId('abc')).to.equal('abc');
  });
});
