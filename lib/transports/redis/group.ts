import type { Redis } from 'ioredis';
import { failpoint } from '../../failpoints.ts';
import { redisErrorCode } from '../redis-error-code.ts';
import { cmdOf, type RedisConsumerState, type StreamEntry } from './consumer-state.ts';

type ReadReply = [stream: string, entries: StreamEntry[]][] | null;
/** ioredis' overloads cannot take a built argument list; the reply shape is Redis' own. */
type XReadGroup = { xreadgroup(...args: (string | number)[]): Promise<ReadReply> };

/** Creates the group from `0` with MKSTREAM; an existing group is left as it is. */
export async function ensureGroup(s: RedisConsumerState, client: Redis): Promise<void> {
  try {
    // FAILPOINT group-from-latest: the group starts at `$`, skipping what is already queued.
    const from = failpoint('group-from-latest') ? '$' : '0';
    await client.xgroup('CREATE', s.r.stream, s.r.groupName, from, 'MKSTREAM');
    s.log.info({ stream: s.r.stream, group: s.r.groupName, from }, 'consumer group created');
  } catch (err) {
    if (redisErrorCode(err) !== 'BUSYGROUP') throw err;
  }
}

/** One XREADGROUP from `id` (`>`: new entries; `0`...: our own pending ones). */
export async function readGroup(
  s: RedisConsumerState,
  client: Redis,
  id: string,
  block: boolean,
  count = s.w.batchSize,
): Promise<StreamEntry[]> {
  const args: (string | number)[] = ['GROUP', s.r.groupName, s.name, 'COUNT', count];
  if (block) args.push('BLOCK', s.r.blockMs);
  args.push('STREAMS', s.r.stream, id);
  try {
    const reply = await (client as unknown as XReadGroup).xreadgroup(...args);
    return reply?.[0]?.[1] ?? [];
  } catch (err) {
    if (redisErrorCode(err) !== 'NOGROUP') throw err;
    s.log.warn('consumer group vanished; recreating it from 0');
    await ensureGroup(s, cmdOf(s));
    return [];
  }
}

/** Delivery counts of the given entries, from the group's PEL (one XPENDING each, pipelined). */
export async function deliveryCounts(
  s: RedisConsumerState,
  client: Redis,
  ids: string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (ids.length === 0) return counts;
  const pipeline = client.pipeline();
  for (const id of ids) pipeline.xpending(s.r.stream, s.r.groupName, id, id, 1);
  const replies = (await pipeline.exec()) ?? [];
  replies.forEach(([err, rows], i) => {
    const row = (rows as [string, string, number, number][] | null)?.[0];
    if (!err && row) counts.set(ids[i] as string, row[3]);
  });
  return counts;
}

/**
 * Deletes group consumers that hold nothing and have been idle past ARGV[1] ms, except
 * ARGV[2] (the caller). Atomic, so a consumer cannot read an entry between the check and
 * the delete (DELCONSUMER would drop its pending entries).
 */
const PRUNE_SCRIPT = `
local deleted = 0
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[3])) do
  local info = {}
  for i = 1, #c, 2 do info[c[i]] = c[i + 1] end
  if info['name'] ~= ARGV[2] and info['pending'] == 0 and info['idle'] > tonumber(ARGV[1]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[3], info['name'])
    deleted = deleted + 1
  end
end
return deleted
`;

/** Deletes the idle consumers that hold nothing (see PRUNE_SCRIPT). */
export async function pruneConsumers(s: RedisConsumerState, client: Redis): Promise<void> {
  const deleted = (await client.eval(
    PRUNE_SCRIPT,
    1,
    s.r.stream,
    s.r.consumerDeleteIdleMs,
    s.name,
    s.r.groupName,
  )) as number;
  if (deleted > 0) s.log.info({ deleted }, 'deleted idle consumers with nothing pending');
}
