import type { EventEnvelope } from '../../envelope.ts';
import { bullmqJobId } from './job-id.ts';

/**
 * The BullMQ job of each event, in one place: name = event type, data = the envelope,
 * jobId = the event id (so a repeated id stays one job), kept `keepCompletedS` after
 * completion (a repeat within it is still recognised), then removed so Redis stays bounded.
 */
export function bullmqJobs(events: readonly EventEnvelope[], keepCompletedS: number) {
  return events.map((event) => ({
    name: event.type,
    data: event,
    opts: { jobId: bullmqJobId(event.id), removeOnComplete: { age: keepCompletedS } },
  }));
}
