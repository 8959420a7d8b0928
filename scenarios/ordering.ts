import type { Scenario } from '../harness/scenario.ts';

/**
 * Kafka's per-key order under work that varies and crashes. 30 keys, each a sequential
 * client (the next event of a key goes out after the 202 of the previous one), so each key's
 * events follow each other in its partition. Work time jitters (60 to 120 ms), so events
 * handled side by side finish out of start order. kafkajs commits at the end of every
 * batch, so only the events in flight are uncommitted when a worker dies: at 40/s each a
 * worker holds about 3.6, so a kill almost never finds it idle (with 5 to 30 ms of work,
 * one could). A worker is killed twice: its partitions stall for the session timeout and
 * move, the in-flight events are redelivered, and the backlog built meanwhile comes in
 * batches holding several events of each key. With key-ordered processing each key is
 * applied in log order; handling a chunk at once whatever its keys (failpoint `unordered`)
 * applies some out of order.
 */
export const ordering: Scenario = {
  name: 'ordering',
  description:
    'Keyed sequential load on Kafka, jittered work, two SIGKILLs: every key applied in log order.',
  transports: ['kafka'],
  load: {
    messages: 1440,
    ratePerSec: 80,
    concurrency: 12,
    batchSize: 1,
    keys: 30,
    sequential: true,
  },
  workers: {
    size: 2,
    workTimeMs: 60,
    env: {
      WORK_TIME_JITTER_MS: '60',
      KAFKA_SESSION_TIMEOUT_MS: '4000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '500',
    },
  },
  schedule: [
    { at: 4, fault: { kind: 'kill-worker' } },
    { at: 12, fault: { kind: 'kill-worker' } },
  ],
  expectations: { kills: { min: 2 }, redeliveries: { min: 1 } },
};
