import { drivers } from '../../lib/transports/registry.ts';
import { describeWorkerPool } from './workers-suite.ts';

// The same cases for every registered driver, and for each of its variants (Kafka on
// @platformatic/kafka besides kafkajs).
for (const driver of drivers) {
  describeWorkerPool(driver);
  for (const variant of driver.variants ?? []) describeWorkerPool(driver, variant);
}
