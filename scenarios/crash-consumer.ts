import type { Scenario } from '../harness/scenario.ts';

/** SIGKILL mid-work: in-flight events must be redelivered and applied once. Work time is
 * long enough that a killed worker almost surely holds unacknowledged events, and kills are
 * spaced beyond the Kafka session timeout, so each one lands on a settled group (a kill
 * during a rebalance hits a worker that holds nothing). */
export const crashConsumer: Scenario = {
  name: 'crash-consumer',
  description:
    'SIGKILL one worker of each pool three times under load; its unacked events are redelivered.',
  load: { messages: 800, ratePerSec: 40, concurrency: 4, batchSize: 2 },
  workers: {
    size: 3,
    workTimeMs: 400,
    env: { KAFKA_SESSION_TIMEOUT_MS: '4000', KAFKA_HEARTBEAT_INTERVAL_MS: '500' },
  },
  schedule: [
    { at: 3, fault: { kind: 'kill-worker' } },
    { at: 10, fault: { kind: 'kill-worker' } },
    { at: 17, fault: { kind: 'kill-worker' } },
  ],
  expectations: { kills: { min: 3 }, redeliveries: { min: 1 } },
};
