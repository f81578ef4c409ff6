/**
 * Atomic check-and-reserve of one decision's counters. Mirrors walkReservePlan (src/engine/caps/counter-store.ts).
 * KEYS: distinct prefixed keys. ARGV[1]: one space-separated string (one argument instead of ~100
 * costs the client far less to encode and write): want, candidateCount, then per candidate: checkCount
 * followed by checkCount × (keyIndex, op r|d|a, limit, ttlS). Returns one code per candidate:
 * -1 chosen, 0 not evaluated (want reached), j > 0 rejected at its j-th check.
 */
export const RESERVE_LUA = `
-- Tokens are read as needed: once want ads are chosen the rest of the plan is never parsed
-- (most decisions choose their first candidate, and parsing dominated the script's cost).
local tok = string.gmatch(ARGV[1], '%S+')
local want = tonumber(tok())
local n = tonumber(tok())
local chosen = 0
local out = {}
for c = 1, n do
  if chosen >= want then
    out[c] = 0
  else
    local m = tonumber(tok())
    local idx, op, limit, ttl = {}, {}, {}, {}
    for j = 1, m do
      idx[j] = tonumber(tok())
      op[j] = tok()
      limit[j] = tonumber(tok())
      ttl[j] = tonumber(tok())
    end
    local failed = 0
    local cur = {}
    for j = 1, m do
      local key = KEYS[idx[j]]
      local ok
      if op[j] == 'a' then
        ok = redis.call('EXISTS', key) == 0
      else
        cur[j] = tonumber(redis.call('GET', key) or '0') or 0
        if op[j] == 'r' then ok = cur[j] + 1 <= limit[j] else ok = cur[j] < limit[j] end
      end
      if not ok then
        failed = j
        break
      end
    end
    if failed > 0 then
      out[c] = failed
    else
      local seen = {}
      for j = 1, m do
        if op[j] == 'r' and not seen[idx[j]] then
          seen[idx[j]] = true
          -- Keys are only ever created by this script, INCREMENT_LUA or SET EX, all with their TTL,
          -- so only a key read as absent (0) needs one: one SET EX instead of INCR then EXPIRE.
          if cur[j] == 0 and ttl[j] > 0 then
            redis.call('SET', KEYS[idx[j]], 1, 'EX', ttl[j])
          else
            redis.call('INCR', KEYS[idx[j]])
          end
        end
      end
      out[c] = -1
      chosen = chosen + 1
    end
  end
end
return out
`;

/** INCRBY that sets a TTL only when the key has none, in one round trip. KEYS[1]; ARGV: by, ttlS. */
export const INCREMENT_LUA = `
local v = redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]))
local ttl = tonumber(ARGV[2])
if ttl > 0 and redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ttl) end
return v
`;
