import { expect } from 'chai';
import { createRandom, hashSeed } from '../../harness/random.ts';
import { resolveSchedule } from '../../harness/schedule.ts';
import { chaos } from '../../scenarios/chaos.ts';

const draw = (seed: string, n = 20) => {
  const r = createRandom(seed);
  return Array.from({ length: n }, () => r.next());
};

describe('seeded random', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    expect(draw('abc')).to.deep.equal(draw('abc'));
    expect(draw('abc')).to.not.deep.equal(draw('abd'));
    expect(hashSeed('42')).to.equal(hashSeed(42));
  });

  it('stays in range', () => {
    const r = createRandom('range');
    for (let i = 0; i < 1000; i++) {
      const x = r.next();
      expect(x).to.be.at.least(0).and.below(1);
      const n = r.int(3, 5);
      expect(n).to.be.oneOf([3, 4, 5]);
    }
  });

  it('forks independent, repeatable streams', () => {
    const a = createRandom('s').fork('load');
    const b = createRandom('s').fork('load');
    const c = createRandom('s').fork('faults');
    const seq = (r: typeof a) => [r.next(), r.next(), r.next()];
    const sa = seq(a);
    expect(sa).to.deep.equal(seq(b));
    expect(sa).to.not.deep.equal(seq(c));
  });

  it('shuffles and picks deterministically', () => {
    const items = [1, 2, 3, 4, 5, 6];
    expect(createRandom('x').shuffle(items)).to.deep.equal(createRandom('x').shuffle(items));
    expect(createRandom('x').shuffle(items)).to.have.members(items);
    expect(() => createRandom('x').pick([])).to.throw(RangeError);
  });

  it('expands the chaos scenario into the same schedule for the same seed', () => {
    const a = resolveSchedule(chaos, createRandom('seed-1').fork('faults'));
    const b = resolveSchedule(chaos, createRandom('seed-1').fork('faults'));
    const c = resolveSchedule(chaos, createRandom('seed-2').fork('faults'));
    expect(a).to.deep.equal(b);
    expect(a).to.not.deep.equal(c);
    expect(a.length).to.be.greaterThan(0);
    for (const step of a) {
      expect(step.at).to.be.at.least(chaos.chaos!.startSec).and.below(chaos.chaos!.endSec);
    }
    // maxActive 1: a fault starts only once the previous one is healed.
    for (let i = 1; i < a.length; i++) {
      const prev = a[i - 1]!;
      expect(a[i]!.at).to.be.at.least(prev.at + (prev.healAfter ?? 1) - 1e-9);
    }
  });
});
