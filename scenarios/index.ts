import { bandwidth } from './bandwidth.ts';
import { brokerFailover } from './broker-failover.ts';
import { brokerRestart } from './broker-restart.ts';
import { chaos } from './chaos.ts';
import { consumerOutage } from './consumer-outage.ts';
import { controllerFailover } from './controller-failover.ts';
import { crashConsumer } from './crash-consumer.ts';
import { flakyNetwork } from './flaky-network.ts';
import { gracefulRestart } from './graceful-restart.ts';
import { latency } from './latency.ts';
import { leaderIsolation } from './leader-isolation.ts';
import { leaderPause } from './leader-pause.ts';
import { lateConsumers } from './late-consumers.ts';
import { ordering } from './ordering.ts';
import { partitionProducer } from './partition-producer.ts';
import { partitionWorkers } from './partition-workers.ts';
import { poisonMessage } from './poison-message.ts';
import { redisFailover } from './redis-failover.ts';
import { redisPrimaryIsolation } from './redis-primary-isolation.ts';
import { rollingBrokerRestart } from './rolling-broker-restart.ts';
import { rebalanceStorm } from './rebalance-storm.ts';
import { sinkOutage } from './sink-outage.ts';
import { slowConsumer } from './slow-consumer.ts';
import { smoke } from './smoke.ts';
import { soak } from './soak.ts';
import type { Scenario } from '../harness/scenario.ts';
import { workerPause } from './worker-pause.ts';

/** The catalogue, in the order the fault suite runs it (control first). */
export const SCENARIOS: readonly Scenario[] = [
  smoke,
  crashConsumer,
  consumerOutage,
  lateConsumers,
  gracefulRestart,
  workerPause,
  partitionWorkers,
  partitionProducer,
  latency,
  flakyNetwork,
  bandwidth,
  brokerRestart,
  sinkOutage,
  poisonMessage,
  slowConsumer,
  rebalanceStorm,
  ordering,
  chaos,
];

/** The catalogue of replicated brokers (`infra: 'cluster'`): faults aimed at broker roles.
 * The fault suite runs them on one cluster of their own. */
export const CLUSTER_SCENARIOS: readonly Scenario[] = [
  brokerFailover,
  redisFailover,
  leaderPause,
  controllerFailover,
  leaderIsolation,
  redisPrimaryIsolation,
  rollingBrokerRestart,
];

/** Scenarios whose length the user picks (`--duration`): not CI-sized, run on their own. */
export const LONG_SCENARIOS: readonly Scenario[] = [soak];

/** Every scenario the CLI knows: the catalogue, the cluster's, then the long ones. */
export const ALL_SCENARIOS: readonly Scenario[] = [
  ...SCENARIOS,
  ...CLUSTER_SCENARIOS,
  ...LONG_SCENARIOS,
];

export const SCENARIO_NAMES: readonly string[] = ALL_SCENARIOS.map((s) => s.name);

export function getScenario(name: string): Scenario | undefined {
  return ALL_SCENARIOS.find((s) => s.name === name);
}

export type { Scenario } from '../harness/scenario.ts';
