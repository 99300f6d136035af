--[[
  fair-acquire: take a delivery slot for one piece of outbound work (a webhook delivery, an express
  call), unless its org or its destination already holds its share, or the destination's circuit
  breaker is open. Slots are leases: a worker that dies without releasing frees its slot when the
  lease expires, so a crash can never wedge an org or a destination.

  Circuit states (KEYS[3]): closed (no `until`); open (now < until): nothing is sent; half-open
  (until has passed): one probe at a time is let through, and its outcome (fair-release-3.lua)
  closes the circuit or opens it again for longer.

  (KEYS[1..3] share the lane's hash tag, src/redis/keys.ts)
  KEYS[1] org slots zset          (lease id scored by lease expiry ms)
  KEYS[2] destination slots zset  (lease id scored by lease expiry ms)
  KEYS[3] destination circuit hash (failures, until, opened, probe, probe_until)
  ARGV[1] now, ms since epoch
  ARGV[2] lease id (unique per acquisition)
  ARGV[3] lease expiry, ms since epoch (longer than the work can take)
  ARGV[4] the org's share: slots it may hold at once
  ARGV[5] the destination's share: slots it may hold at once

  Returns { code, retryAtMs }:
  code  1  slot taken
  code  2  slot taken as the half-open circuit's probe
  code -1  circuit open until retryAtMs
  code -2  the org holds its share
  code -3  the destination holds its share
  code -4  the half-open circuit's probe is in flight (its lease ends at retryAtMs)
]]
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)

local c = redis.call('HMGET', KEYS[3], 'until', 'probe', 'probe_until')
local half = false
if c[1] then
  local untilMs = tonumber(c[1])
  if now < untilMs then return { -1, untilMs } end
  if c[2] and now < tonumber(c[3] or '0') then return { -4, tonumber(c[3]) } end
  half = true
end

if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return { -2, 0 } end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return { -3, 0 } end

local ttl = tonumber(ARGV[3]) - now
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ttl)
if half then
  redis.call('HSET', KEYS[3], 'probe', ARGV[2], 'probe_until', ARGV[3])
  return { 2, 0 }
end
return { 1, 0 }
