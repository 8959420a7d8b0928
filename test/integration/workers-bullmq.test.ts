import { describeWorkerPool } from './workers-suite.ts';

describeWorkerPool('bullmq');
