import type { Consumer } from '@platformatic/kafka';
import { errorMessage } from '../../../errors.ts';
import { errorTree, isProtocolError } from './errors.ts';

/** The answers of a broker that is not (or no longer) the group's coordinator. */
const MOVED = ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'] as const;

const coordinatorMoved = (err: unknown): boolean =>
  MOVED.some((name) => isProtocolError(err, name));

/** A TypeError is the client failing in its own code, not a broker's answer. */
const clientBroken = (err: unknown): boolean =>
  [...errorTree(err)].some((e) => e instanceof TypeError);

/**
 * Three faults of @platformatic/kafka 1.35 make a consumer's membership die while it goes on
 * consuming (2.x, which needs Node 22, forgets a moved coordinator; its heartbeat timer was
 * not checked):
 * - after a heartbeat fails for a reason it does not rejoin on (a timeout, a closed
 *   connection, a node that is no longer the coordinator), it never heartbeats again (it
 *   clears its timer and re-arms a null one). The group drops the member after the session
 *   timeout and gives its partitions away, while it still fetches and works on them: a
 *   zombie, seen in CI as concurrent deliveries under a rolling broker restart;
 * - it looks the coordinator up once: once that moves, every commit is refused for good;
 * - once the coordinator it cached drops out of the metadata (a fenced node), every group
 *   request throws a TypeError (`.host` of undefined), seen in CI under leader-pause.
 *
 * So the session ends (`onLost`, once) at the first heartbeat error (a closed connection fails
 * it within a second, far inside the session timeout), or at the first commit refused by a
 * moved coordinator or failed by a TypeError (`seen`, for the committer). A new consumer looks
 * the coordinator up again. `lost()`: the final commit would go where the heartbeats or
 * commits failed.
 */
export function watchMembership(
  consumer: Consumer,
  onLost: (why: Error) => void,
): { seen: (err: unknown) => void; lost: () => boolean } {
  let lost = false;
  const end = (why: string) => {
    if (lost) return;
    lost = true;
    onLost(new Error(why));
  };
  const seen = (err: unknown) => {
    if (coordinatorMoved(err)) end('the group coordinator moved; a new consumer looks it up again');
    else if (clientBroken(err)) end(`the client failed in its own code (${errorMessage(err)})`);
  };
  consumer.on('consumer:heartbeat:error', () =>
    end('a heartbeat failed, and this client never heartbeats again; a new consumer joins'),
  );
  return { seen, lost: () => lost };
}
