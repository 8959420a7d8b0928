import { expect } from 'chai';
import { randomClusterId } from '../../harness/infra/kafka-server.ts';

describe('kafka cluster id', function () {
  it('is 22 base64url characters and never starts with "-" (the storage tool would read an option)', function () {
    // Without the guard about 1 id in 64 starts with '-': 5,000 draws would show ~78.
    const ids = Array.from({ length: 5000 }, randomClusterId);
    expect(ids.filter((id) => !/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).to.deep.equal([]);
    expect(new Set(ids).size).to.equal(ids.length);
  });
});
