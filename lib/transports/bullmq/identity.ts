import { hostname } from 'node:os';

/** The BullMQ worker name of supervisor slot `workerId` (jobs' `processedBy`). */
export function bullmqWorkerName(workerId: string, host = hostname()): string {
  return `${host}-w${workerId}`;
}
