/**
 * The error code of a Redis error reply: its first word (`NOGROUP`, `BUSYGROUP`, `ERR`).
 * Redis defines this prefix as the machine-readable code of the reply, so branching on it
 * is branching on a code, not on free-form message text.
 */
export function redisErrorCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || err.name !== 'ReplyError') return undefined;
  return /^([A-Z][A-Z_]*)\b/.exec(err.message)?.[1];
}
