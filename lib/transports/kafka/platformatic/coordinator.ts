import type { Consumer } from '@platformatic/kafka';
import { isProtocolError } from './errors.ts';

/** The answers of a broker that is not (or no longer) the group's coordinator. */
const MOVED = ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'] as const;

export const coordinatorMoved = (err: unknown): boolean =>
  MOVED.some((name) => isProtocolError(err, name));

/**
 * @platformatic/kafka 1.x finds the group coordinator once per consumer and never looks
 * again (2.x forgets it on these errors, but needs Node 22). Once the coordinator moves (its
 * node paused, restarted or cut off: the `__consumer_offsets` leader changed), every
 * heartbeat and commit of that consumer goes to the old node and is refused for as long as
 * it lives: the group drops the member and its done work is never committed. A new consumer
 * looks the coordinator up again, so the session must end: `onMoved` is called once, on the
 * first refused heartbeat or commit (`seen`, for the committer).
 */
export function watchCoordinator(
  consumer: Consumer,
  onMoved: (why: Error) => void,
): { seen: (err: unknown) => void; moved: () => boolean } {
  let moved = false;
  const seen = (err: unknown) => {
    if (moved || !coordinatorMoved(err)) return;
    moved = true;
    onMoved(new Error('the group coordinator moved; a new consumer looks it up again'));
  };
  consumer.on('consumer:heartbeat:error', (e: { error?: unknown }) => seen(e?.error));
  return { seen, moved: () => moved };
}
