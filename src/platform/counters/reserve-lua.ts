/**
 * Atomic check-and-reserve of one decision's counters. Mirrors walkReservePlan (src/engine/caps/counter-store.ts).
 * KEYS: distinct prefixed keys (plain counters and hashes). ARGV[1]: one space-separated string (one
 * argument instead of ~100 costs the client far less to encode and write): want, candidateCount,
 * one TTL in seconds per key (0: none), then per candidate: checkCount followed by checkCount ×
 * (keyIndex, op r|d|a, limit, fieldIndex or 0 for a plain key). ARGV[2…]: the hash fields, by index.
 * Ops p and f (keyIndex 0) are checks already decided elsewhere, passed and failed: on Redis Cluster,
 * counters outside the plan's home slot (ClusterCounterStore).
 * Returns one code per candidate: -1 chosen, 0 not evaluated (want reached), j > 0 rejected at its j-th check.
 */
export const RESERVE_LUA = `
-- Candidates are read as needed: once want ads are chosen the rest of the plan is never parsed
-- (most decisions choose their first candidate).
local tok = string.gmatch(ARGV[1], '%S+')
local want = tonumber(tok())
local n = tonumber(tok())
local keyTtl = {}
for i = 1, #KEYS do keyTtl[i] = tonumber(tok()) end
local chosen = 0
local out = {}
for c = 1, n do
  if chosen >= want then
    out[c] = 0
  else
    local m = tonumber(tok())
    local idx, op, limit, field = {}, {}, {}, {}
    for j = 1, m do
      idx[j] = tonumber(tok())
      op[j] = tok()
      limit[j] = tonumber(tok())
      local f = tonumber(tok())
      if f > 0 then field[j] = ARGV[1 + f] end
    end
    local failed = 0
    local cur = {}
    for j = 1, m do
      local key = KEYS[idx[j]]
      local ok
      if op[j] == 'p' then
        ok = true
      elseif op[j] == 'f' then
        ok = false
      elseif op[j] == 'a' then
        if field[j] then ok = redis.call('HEXISTS', key, field[j]) == 0 else ok = redis.call('EXISTS', key) == 0 end
      else
        local v
        if field[j] then v = redis.call('HGET', key, field[j]) else v = redis.call('GET', key) end
        cur[j] = tonumber(v or '0') or 0
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
      local touchedHash = {}
      for j = 1, m do
        local id = idx[j] .. ' ' .. (field[j] or '')
        if op[j] == 'r' and not seen[id] then
          seen[id] = true
          local key = KEYS[idx[j]]
          local ttl = keyTtl[idx[j]]
          if field[j] then
            redis.call('HINCRBY', key, field[j], 1)
            if ttl > 0 then touchedHash[idx[j]] = ttl end
          elseif cur[j] == 0 and ttl > 0 then
            -- Plain counters are only ever created by this script, INCREMENT_LUA or SET EX, all with
            -- their TTL, so only one read as absent (0) needs one: one SET EX instead of INCR then EXPIRE.
            redis.call('SET', key, 1, 'EX', ttl)
          else
            redis.call('INCR', key)
          end
        end
      end
      -- A hash lives as long as its longest-lived field needs: its TTL only ever grows. A later
      -- write in the same bucket asks for the same expiry, but TTL rounds to the nearest second and
      -- the request is rounded up, so about one such write in eight read as short by a second and
      -- rewrote the expiry (a write Redis also sends to the AOF and replicas). Within the 2 s margin
      -- a field still outlives its bucket by its slack (at least 60 s) less 2.5 s.
      for i, t in pairs(touchedHash) do
        if redis.call('TTL', KEYS[i]) + 2 < t then redis.call('EXPIRE', KEYS[i], t) end
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

/**
 * Gives back reservations (Redis Cluster: those of a candidate whose counters in another slot refused
 * it after its home slot had reserved). KEYS: the counters, all in one slot; ARGV[i]: KEYS[i]'s hash
 * field, '' for a plain key.
 */
export const RELEASE_LUA = `
-- A counter that expired in between is left absent: decrementing it would recreate it without a TTL.
for i = 1, #KEYS do
  if ARGV[i] ~= '' then
    if redis.call('HEXISTS', KEYS[i], ARGV[i]) == 1 then redis.call('HINCRBY', KEYS[i], ARGV[i], -1) end
  elseif redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('DECR', KEYS[i])
  end
end
return #KEYS
`;
