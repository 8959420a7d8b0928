import type { Scenario } from './types.ts';

/** SIGKILL mid-work: in-flight events must be redelivered and applied once. Work time is
 * long enough that a killed worker almost surely holds unacknowledged events. */
export const crashConsumer: Scenario = {
  name: 'crash-consumer',
  description:
    'SIGKILL one worker of each pool three times under load; its unacked events are redelivered.',
  load: { messages: 800, ratePerSec: 40, concurrency: 4, batchSize: 2 },
  workers: { size: 3, workTimeMs: 400 },
  schedule: [
    { at: 4, fault: { kind: 'kill-worker' } },
    { at: 9, fault: { kind: 'kill-worker' } },
    { at: 14, fault: { kind: 'kill-worker' } },
  ],
  expectations: { kills: { min: 3 }, redeliveries: { min: 1 } },
};
