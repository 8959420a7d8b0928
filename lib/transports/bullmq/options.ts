import { int, opt, text } from '../../option-spec.ts';

/** BullMQ's slice of the options; its connection is the broker Redis (REDIS_URL). */
export const BULLMQ_OPTIONS = {
  queue: opt('BULLMQ_QUEUE', 'events', text, 'queue the events go to'),
  lockDurationMs: opt(
    'BULLMQ_LOCK_DURATION_MS',
    5000,
    int(500),
    'job lock; a killed worker holds its jobs this long',
  ),
  stalledIntervalMs: opt(
    'BULLMQ_STALLED_INTERVAL_MS',
    2000,
    int(100),
    'how often stalled jobs are looked for',
  ),
  maxStalledCount: opt(
    'BULLMQ_MAX_STALLED_COUNT',
    1000,
    int(1),
    'stalls before a job fails; high so kills never fail good jobs',
  ),
  keepCompletedS: opt(
    'BULLMQ_KEEP_COMPLETED_S',
    3600,
    int(0),
    'completed jobs are kept this long (a repeated id within it stays one job), then removed',
  ),
} as const;
