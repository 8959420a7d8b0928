import type { EventEnvelope } from '../../envelope.ts';
import type { TraceFields } from '../../tracing/trace-fields.ts';
import { bullmqJobId } from './job-id.ts';

/** Job data: the envelope, plus its trace fields while tracing is on (see `jobEvent`). */
export type JobData = EventEnvelope & { traceContext?: TraceFields };

/**
 * The BullMQ job of each event, in one place: name = event type, data = the envelope (with
 * `traceContext`, the W3C trace fields, only when `traces` gives them), jobId = the event id
 * (so a repeated id stays one job), kept `keepCompletedS` after completion (a repeat within
 * it is still recognised), then removed so Redis stays bounded.
 */
export function bullmqJobs(
  events: readonly EventEnvelope[],
  keepCompletedS: number,
  traces?: readonly (TraceFields | undefined)[],
) {
  return events.map((event, i) => {
    const trace = traces?.[i];
    return {
      name: event.type,
      data: trace === undefined ? event : { ...event, traceContext: trace },
      opts: { jobId: bullmqJobId(event.id), removeOnComplete: { age: keepCompletedS } },
    };
  });
}

/** The event and the trace fields of a job's data. */
export function jobEvent(data: JobData): { event: EventEnvelope; trace?: TraceFields } {
  if (data.traceContext === undefined) return { event: data };
  const { traceContext, ...event } = data;
  return { event, trace: traceContext };
}
