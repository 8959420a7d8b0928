import type { Measure } from '../types.ts';

/** What the client saw: distinct ids by best outcome, and the poison among them. */
export const outcomes: Measure<never> = {
  name: 'outcomes',
  needs: [],
  columns: [
    { key: 'attempted', short: 'attempted', label: 'attempted', value: (r) => r.attempted },
    { key: 'ok', short: 'ok', label: 'ok', value: (r) => r.ok },
    { key: 'fail', short: 'fail', label: 'fail', value: (r) => r.fail },
    { key: 'info', short: 'info', label: 'info', value: (r) => r.info },
    {
      key: 'poisonSent',
      short: 'poison-sent',
      label: 'poison sent',
      value: (r) => r.poisonSent,
      terminal: false,
    },
  ],
  run({ transport, ids, isPoison }) {
    const c = { attempted: 0, ok: 0, fail: 0, info: 0, poisonSent: 0, poisonOk: 0 };
    for (const [id, s] of ids) {
      c.attempted++;
      c[s.outcome]++;
      if (isPoison(id)) {
        c.poisonSent++;
        if (s.outcome === 'ok') c.poisonOk++;
      }
    }
    // A run in which nothing was accepted cannot show that accepted events survive.
    const unknown = c.ok === 0 ? [`no ${transport} event was accepted: nothing to check`] : [];
    return { counts: c, unknown };
  },
};
