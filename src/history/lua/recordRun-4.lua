--[[
  Records one run under one class, atomically: add it unless its runId is already there, trim the
  class to the newest maxRuns runs, move the class up the index, evict the least recently used
  classes beyond maxClasses, and refresh every TTL. Replaying the same run is a no-op.

  KEYS[1] runs   hash       runId -> record JSON
  KEYS[2] order  sorted set runId scored by end time (also the de-duplication set)
  KEYS[3] meta   hash       classKey, lastAt
  KEYS[4] index  sorted set class hash scored by last use

  ARGV[1] runId  ARGV[2] at (epoch ms)  ARGV[3] record JSON  ARGV[4] classKey  ARGV[5] class hash
  ARGV[6] maxRuns  ARGV[7] ttl seconds  ARGV[8] maxClasses  ARGV[9] prefix of class keys

  Returns 1 when the run was added, 0 when it was already there; an error naming the key when a key holds
  another type (written by something else), so the caller can skip that class instead of calling the
  whole server unreachable.
]]
local expected = { 'hash', 'zset', 'hash', 'zset' }
for i = 1, 4 do
  local found = redis.call('TYPE', KEYS[i])['ok']
  if found ~= 'none' and found ~= expected[i] then
    return redis.error_reply('WRONGTYPE ' .. KEYS[i] .. ' holds a ' .. found .. ', expected a ' .. expected[i])
  end
end
local runId = ARGV[1]
local at = tonumber(ARGV[2])
local maxRuns = tonumber(ARGV[6])
local ttl = tonumber(ARGV[7])
local maxClasses = tonumber(ARGV[8])

-- unpack() is limited by the Lua stack, so large lists go in slices.
local function inSlices(command, key, items)
  for i = 1, #items, 1000 do
    redis.call(command, key, unpack(items, i, math.min(i + 999, #items)))
  end
end

local added = 0
if redis.call('ZSCORE', KEYS[2], runId) == false then
  redis.call('ZADD', KEYS[2], at, runId)
  redis.call('HSET', KEYS[1], runId, ARGV[3])
  added = 1
  local excess = redis.call('ZCARD', KEYS[2]) - maxRuns
  if excess > 0 then
    local dropped = redis.call('ZRANGE', KEYS[2], 0, excess - 1)
    redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
    inSlices('HDEL', KEYS[1], dropped)
  end
end

-- A replayed old run must not make its class look older than it is.
local lastAt = tonumber(redis.call('HGET', KEYS[3], 'lastAt'))
if lastAt == nil or at > lastAt then lastAt = at end
redis.call('HSET', KEYS[3], 'classKey', ARGV[4], 'lastAt', lastAt)
redis.call('ZADD', KEYS[4], lastAt, ARGV[5])

local overflow = redis.call('ZCARD', KEYS[4]) - maxClasses
if overflow > 0 then
  local evicted = redis.call('ZRANGE', KEYS[4], 0, overflow - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, overflow - 1)
  for _, hash in ipairs(evicted) do
    local base = ARGV[9] .. hash
    redis.call('DEL', base .. ':runs', base .. ':order', base .. ':meta')
  end
end

for i = 1, 4 do
  redis.call('EXPIRE', KEYS[i], ttl)
end
return added
