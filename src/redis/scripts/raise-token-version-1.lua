--[[
  raise-token-version: record a site's new device-token version; versions only ever rise, so two
  rotations applied out of order still leave the newest in force. If the site hash was absent it
  now holds only tv, and the next poll restores the rest from PostgreSQL.

  KEYS[1] site hash
  ARGV[1] new token version

  Returns: the version in force.
]]
local cur = tonumber(redis.call('HGET', KEYS[1], 'tv') or '0')
local v = math.max(cur, tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'tv', v)
return v
