--[[
  Classes by last use, newest first, with their stored key and number of runs. Index entries whose
  data has expired (TTL) or was removed are dropped from the index on the way.

  KEYS[1] index  sorted set class hash scored by last use

  ARGV[1] limit  ARGV[2] prefix of class keys

  Returns a flat list: classKey, lastAt, runs, classKey, lastAt, runs, ...
]]
local limit = tonumber(ARGV[1])
if limit <= 0 then return {} end
local members = redis.call('ZREVRANGE', KEYS[1], 0, limit - 1, 'WITHSCORES')
local out = {}
for i = 1, #members, 2 do
  local hash = members[i]
  local base = ARGV[2] .. hash
  local classKey = redis.call('HGET', base .. ':meta', 'classKey')
  if classKey then
    out[#out + 1] = classKey
    out[#out + 1] = members[i + 1]
    out[#out + 1] = redis.call('ZCARD', base .. ':order')
  else
    redis.call('ZREM', KEYS[1], hash)
  end
end
return out
