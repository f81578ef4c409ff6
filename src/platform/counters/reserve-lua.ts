/**
 * Atomic check-and-reserve of one decision's counters. Mirrors walkReservePlan (src/engine/caps/counter-store.ts).
 * KEYS: distinct prefixed keys. ARGV[1]: one space-separated string (one argument instead of ~100
 * costs the client far less to encode and write): want, candidateCount, then per candidate: checkCount
 * followed by checkCount × (keyIndex, op r|d|a, limit, ttlS). Returns one code per candidate:
 * -1 chosen, 0 not evaluated (want reached), j > 0 rejected at its j-th check.
 */
export const RESERVE_LUA = `
local A = {}
for token in string.gmatch(ARGV[1], '%S+') do A[#A + 1] = token end
local want = tonumber(A[1])
local n = tonumber(A[2])
local pos = 3
local chosen = 0
local out = {}
for c = 1, n do
  local m = tonumber(A[pos])
  pos = pos + 1
  if chosen >= want then
    out[c] = 0
  else
    local failed = 0
    for j = 1, m do
      local b = pos + (j - 1) * 4
      local key = KEYS[tonumber(A[b])]
      local op = A[b + 1]
      local ok
      if op == 'a' then
        ok = redis.call('EXISTS', key) == 0
      else
        local cur = tonumber(redis.call('GET', key) or '0') or 0
        local limit = tonumber(A[b + 2])
        if op == 'r' then ok = cur + 1 <= limit else ok = cur < limit end
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
        local b = pos + (j - 1) * 4
        if A[b + 1] == 'r' and not seen[A[b]] then
          seen[A[b]] = true
          local key = KEYS[tonumber(A[b])]
          local ttl = tonumber(A[b + 3])
          -- Keys are only ever created by this script, INCREMENT_LUA or SET EX, all with their TTL,
          -- so only a key this INCR just created needs one.
          if redis.call('INCR', key) == 1 and ttl > 0 then redis.call('EXPIRE', key, ttl) end
        end
      end
      out[c] = -1
      chosen = chosen + 1
    end
  end
  pos = pos + 4 * m
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
