/**
 * BullMQ refuses custom job ids that look like integers or contain `:`, both of which are
 * valid event ids. Such ids get a `~` prefix and `:` becomes `~`; `~` is not allowed in
 * event ids, so the mapping is one-to-one and every other id is its own job id.
 */
export function bullmqJobId(eventId: string): string {
  const integerLike = `${parseInt(eventId, 10)}` === eventId;
  if (!integerLike && !eventId.includes(':')) return eventId;
  return `~${eventId.replaceAll(':', '~')}`;
}

/** The event id a job id stands for (inverse of `bullmqJobId`). */
export function eventIdFromJobId(jobId: string): string {
  return jobId.startsWith('~') ? jobId.slice(1).replaceAll('~', ':') : jobId;
}
