import type { Scenario } from '../harness/scenario.ts';

/**
 * An upgrade's rolling restart under load: every Kafka node stopped gracefully and started
 * again in turn, each back in every ISR before the next. With RF 3 and min ISR 2 two nodes
 * always hold each write, so nothing accepted may be lost while every leader moves.
 */
export const rollingBrokerRestart: Scenario = {
  name: 'rolling-broker-restart',
  description:
    'Cluster: restart every Kafka node in turn (SIGTERM, start, back in every ISR), busiest leader first.',
  infra: 'cluster',
  transports: ['kafka'],
  load: { messages: 1050, ratePerSec: 30, concurrency: 6, batchSize: 2 },
  workers: { size: 2, workTimeMs: 5 },
  // The heal waits for the last node: healAfter only says when to start waiting.
  schedule: [{ at: 3, fault: { kind: 'rolling-broker-restart' }, healAfter: 1 }],
  expectations: { failovers: { min: 1 } },
  timeouts: { drainSec: 60 },
};
