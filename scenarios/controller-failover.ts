import type { Scenario } from '../harness/scenario.ts';

/** kill -9 the active KRaft controller (a broker too: the nodes are combined); the other
 * voters elect a new one and fence the dead broker. */
export const controllerFailover: Scenario = {
  name: 'controller-failover',
  description: 'Cluster: kill -9 the active KRaft controller, restart it after 6 s.',
  infra: 'cluster',
  transports: ['kafka'],
  load: { messages: 450, ratePerSec: 30, concurrency: 6, batchSize: 2 },
  workers: { size: 2, workTimeMs: 5 },
  schedule: [{ at: 4, fault: { kind: 'kill-controller' }, healAfter: 6 }],
  expectations: { failovers: { min: 1 } },
  timeouts: { drainSec: 60 },
};
