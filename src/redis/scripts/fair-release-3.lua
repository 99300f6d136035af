--[[
  fair-release: give back a slot taken by fair-acquire-3.lua and tell the destination's circuit
  breaker how the work went. A success closes the circuit (the destination answers). A failure
  counts towards `threshold` failures in a row, which open it; a failed half-open probe opens it
  again at once. Each opening in a row lasts twice the one before (base · 2^(n-1), at most maxMs).

  (KEYS[1..3] share the lane's hash tag, src/redis/keys.ts)
  KEYS[1] org slots zset
  KEYS[2] destination slots zset
  KEYS[3] destination circuit hash (failures, until, opened, probe, probe_until)
  ARGV[1] now, ms since epoch
  ARGV[2] lease id
  ARGV[3] verdict: 'ok' (the destination answered), 'fail' (no answer, timeout, 5xx), 'none' (not tried)
  ARGV[4] failures in a row that open the circuit
  ARGV[5] first opening, ms
  ARGV[6] longest opening, ms

  Returns { code, untilMs }:
  code  1  this failure opened the circuit until untilMs
  code  2  this success closed an open or half-open circuit
  code  0  otherwise
]]
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
local now = tonumber(ARGV[1])
local c = redis.call('HMGET', KEYS[3], 'until', 'probe')
local isProbe = c[2] == ARGV[2]
if isProbe then redis.call('HDEL', KEYS[3], 'probe', 'probe_until') end

if ARGV[3] == 'ok' then
  local wasOpen = c[1] ~= false
  redis.call('DEL', KEYS[3])
  if wasOpen then return { 2, 0 } end
  return { 0, 0 }
end
if ARGV[3] ~= 'fail' then return { 0, 0 } end

local maxMs = tonumber(ARGV[6])
local failures = redis.call('HINCRBY', KEYS[3], 'failures', 1)
local opening = isProbe or (not c[1] and failures >= tonumber(ARGV[4]))
if not opening then
  -- A run of failures is forgotten once the destination has been left alone long enough.
  redis.call('PEXPIRE', KEYS[3], 2 * maxMs)
  return { 0, 0 }
end
local opened = redis.call('HINCRBY', KEYS[3], 'opened', 1)
local ms = math.min(tonumber(ARGV[5]) * 2 ^ (opened - 1), maxMs)
local untilMs = now + ms
redis.call('HSET', KEYS[3], 'until', untilMs, 'failures', 0)
redis.call('PEXPIRE', KEYS[3], ms + 2 * maxMs)
return { 1, untilMs }
