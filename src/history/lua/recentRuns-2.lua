--[[
  The newest runs of one class, read atomically so a concurrent trim never leaves holes.

  KEYS[1] runs   hash       runId -> record JSON
  KEYS[2] order  sorted set runId scored by end time

  ARGV[1] limit

  Returns the record JSON strings, newest first; an error naming the key when a key holds another type.
]]
local expected = { 'hash', 'zset' }
for i = 1, 2 do
  local found = redis.call('TYPE', KEYS[i])['ok']
  if found ~= 'none' and found ~= expected[i] then
    return redis.error_reply('WRONGTYPE ' .. KEYS[i] .. ' holds a ' .. found .. ', expected a ' .. expected[i])
  end
end
local limit = tonumber(ARGV[1])
if limit <= 0 then return {} end
local ids = redis.call('ZREVRANGE', KEYS[2], 0, limit - 1)
local out = {}
for i = 1, #ids, 1000 do
  local values = redis.call('HMGET', KEYS[1], unpack(ids, i, math.min(i + 999, #ids)))
  for _, value in ipairs(values) do
    if value then out[#out + 1] = value end
  end
end
return out
