import { Reader } from '@platformatic/kafka';

/**
 * @platformatic/kafka 1.x (1.35.0, the last line that runs on Node 20) reads a response's
 * tagged fields (KIP-482) as "skip N bytes" with N decoded as a zigzag varint, so any
 * non-empty tagged field shifts everything after it. Kafka 3.7+ sends such fields whenever a
 * partition has moved (KIP-951: `CurrentLeader` in Produce and Fetch answers to
 * NOT_LEADER_OR_FOLLOWER), e.g. right after a topic is created or a broker restarted, and the
 * client then fails with "Out of bounds" instead of the broker's answer. Fixed upstream in
 * 2.x (platformatic/kafka#313), which needs Node 22.
 *
 * The fix reads them as the protocol says: a count, then per field its tag, its size and
 * its bytes (skipped: no API we use reads one). It is applied only where the installed
 * client shows the bug, so an upgrade makes it a no-op.
 */
function readTaggedFields(this: Reader): void {
  const count = this.readUnsignedVarInt();
  for (let i = 0; i < count; i += 1) {
    this.readUnsignedVarInt(); // tag
    this.skip(this.readUnsignedVarInt());
  }
}

/** One tagged field (tag 0, 2 bytes) followed by the byte 0x7f. */
const PROBE = Buffer.from([0x01, 0x00, 0x02, 0xaa, 0xbb, 0x7f]);

/** True when the installed Reader skips tagged fields correctly. */
export function readsTaggedFields(): boolean {
  const reader = Reader.from(PROBE);
  try {
    reader.readTaggedFields();
    return reader.readInt8() === 0x7f;
  } catch {
    return false;
  }
}

let applied: boolean | undefined;

/** Patches the Reader once, if it needs it; returns whether it did. */
export function fixTaggedFields(): boolean {
  applied ??= !readsTaggedFields();
  if (applied && !readsTaggedFields()) {
    (Reader.prototype as { readTaggedFields: () => void }).readTaggedFields = readTaggedFields;
  }
  return applied;
}
