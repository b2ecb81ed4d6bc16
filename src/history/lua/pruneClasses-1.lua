--[[
  Drops up to a batch of classes whose last use is older than a time, data and index entry together.
  The caller repeats until fewer than a batch come back, so no single call blocks Redis for long.

  KEYS[1] index  sorted set class hash scored by last use

  ARGV[1] olderThan (epoch ms, exclusive)  ARGV[2] prefix of class keys  ARGV[3] batch size

  Returns how many classes were dropped.
]]
local victims = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, hash in ipairs(victims) do
  local base = ARGV[2] .. hash
  redis.call('DEL', base .. ':runs', base .. ':order', base .. ':meta')
  redis.call('ZREM', KEYS[1], hash)
end
return #victims
