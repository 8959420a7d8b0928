/**
 * The sink's one write, atomic in Redis. KEYS[1] ledger hash, KEYS[2] stats hash,
 * KEYS[3] intervals hash, KEYS[4] per-key effect sequences. ARGV: [1] id, [2] nowMs,
 * [3] workerId, [4] pid, [5] deliveryCount, [6] '1' only under the non-idempotent-effect
 * failpoint, [7] startMs of this delivery, [8] broker position, [9] event key ('' when
 * absent, for 7 to 9).
 *
 * Applies the effect only when the id is new, and then takes the key's next effect
 * sequence number; always counts the delivery. The stored delivery count is
 * max(previous + 1, transport's count), so a redelivery that failed before reaching the
 * sink still shows in the ledger when the transport counts it. Each later delivery that
 * reaches the sink appends its processing interval `start,end,worker,pid` to the id's field
 * of the intervals hash (the first one's is in the ledger row), so the hash holds only ids
 * delivered more than once.
 */
export const RECORD_SCRIPT = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
local given = tonumber(ARGV[5])
if not v then
  local seq = ''
  if ARGV[9] ~= '' then seq = redis.call('HINCRBY', KEYS[4], ARGV[9], 1) end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4] .. '|' .. given .. '|1|' .. ARGV[7] .. '|' .. ARGV[8] .. '|' .. seq)
  redis.call('HINCRBY', KEYS[2], 'records', 1)
  redis.call('HINCRBY', KEYS[2], 'deliveries', given)
  redis.call('HINCRBY', KEYS[2], 'effects', 1)
  if given > 1 then redis.call('HINCRBY', KEYS[2], 'redelivered', 1) end
  return {1, given, 1}
end
local first, worker, pid, deliveries, effects, rest = string.match(v, '^([^|]*)|([^|]*)|([^|]*)|(%d+)|(%d+)(.*)$')
deliveries = tonumber(deliveries)
effects = tonumber(effects)
local total = deliveries + 1
-- FAILPOINT non-idempotent-effect: apply the effect again on a repeated id.
if ARGV[6] == '1' then effects = effects + 1; redis.call('HINCRBY', KEYS[2], 'effects', 1); if effects == 2 then redis.call('HINCRBY', KEYS[2], 'doubleEffects', 1) end end
if given > total then total = given end
redis.call('HSET', KEYS[1], ARGV[1], first .. '|' .. worker .. '|' .. pid .. '|' .. total .. '|' .. effects .. rest)
redis.call('HINCRBY', KEYS[2], 'deliveries', total - deliveries)
if deliveries == 1 then redis.call('HINCRBY', KEYS[2], 'redelivered', 1) end
if ARGV[7] ~= '' then
  local span = ARGV[7] .. ',' .. ARGV[2] .. ',' .. ARGV[3] .. ',' .. ARGV[4]
  local before = redis.call('HGET', KEYS[3], ARGV[1])
  if before then span = before .. ';' .. span end
  redis.call('HSET', KEYS[3], ARGV[1], span)
end
return {0, total, effects}
`;
