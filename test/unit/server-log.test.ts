import { expect } from 'chai';
import { telling } from '../../harness/infra/server-process.ts';

describe('telling lines of a server log', () => {
  const stack = Array.from({ length: 20 }, (_, i) => `\tat frame${i}(X.java:${i})`);

  it('puts the first error and the lines naming it before the end of the log', () => {
    const lines = [
      '[t] INFO starting',
      '[t] ERROR Error publishing metadata (kafka.server.metadata.BrokerMetadataPublisher)',
      'java.lang.IllegalStateException: the real cause',
      ...stack,
    ];
    const out = telling(lines).split('\n');
    expect(out[0]).to.equal(lines[1]);
    expect(out[1]).to.equal('java.lang.IllegalStateException: the real cause');
    expect(out.slice(-8)).to.deep.equal(lines.slice(-8));
  });

  it('is the end alone when the error is already there, or there is none', () => {
    const lines = ['[t] INFO a', ...stack.slice(0, 5), '[t] ERROR late', 'x'];
    expect(telling(lines)).to.equal(lines.slice(-8).join('\n'));
    expect(telling(stack)).to.equal(stack.slice(-8).join('\n'));
  });

  it('never repeats a line of the end in the head', () => {
    const lines = ['[t] ERROR near the end', ...stack.slice(0, 9)];
    const out = telling(lines).split('\n');
    expect(out).to.deep.equal([lines[0], lines[1], '\t...', ...lines.slice(-8)]);
  });
});
