import { expect } from 'chai';
import { groupLag } from '../../lib/transports/kafka/lag.ts';

describe('Kafka group lag', function () {
  const marks = (...highs: number[]) =>
    highs.map((high, partition) => ({ partition, low: '0', high: String(high) }));

  it('is high watermark minus committed offset, per partition', function () {
    const { pending, detail } = groupLag(
      marks(10, 7),
      new Map([
        [0, 4],
        [1, 7],
      ]),
    );
    expect(pending).to.equal(6);
    expect(detail).to.include({ 'lag.p0': 6, 'lag.p1': 0, partitions: 2 });
  });

  it('counts from the low watermark where nothing was committed', function () {
    const watermarks = [{ partition: 0, low: '3', high: '10' }];
    expect(groupLag(watermarks, new Map()).pending).to.equal(7);
  });

  it('never lets a commit past the high watermark cancel real lag on another partition', function () {
    // p0 has 5 unprocessed events; p1 committed 5 past its end (an anomaly of its own).
    const { pending, detail } = groupLag(
      marks(10, 10),
      new Map([
        [0, 5],
        [1, 15],
      ]),
    );
    expect(detail['lag.p0']).to.equal(5);
    expect(detail['lag.p1']).to.equal(-5);
    expect(pending).to.equal(10);
  });
});
