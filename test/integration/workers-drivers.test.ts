import { drivers } from '../../lib/transports/registry.ts';
import { describeWorkerPool } from './workers-suite.ts';

// The same cases for every registered driver.
for (const driver of drivers) describeWorkerPool(driver);
