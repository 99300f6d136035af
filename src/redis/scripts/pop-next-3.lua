--[[
  pop-next: authenticate a site's poll, record that it was seen, and hand out at most one job.

  Single flight: while the site's run slot holds a job that is claimed, or whose delivery lease has
  not expired, nothing is handed out. An unclaimed job whose lease expired is handed out again (the
  caller's SQL compare-and-set bumps its attempt, which voids the earlier delivery's signatures).

  KEYS[1] site hash   (tv, org, seen, from)
  KEYS[2] queue list  (job ids, FIFO)
  KEYS[3] run hash    (job, lease, claimed)
  ARGV[1] token version carried by the device token
  ARGV[2] now, ms since epoch
  ARGV[3] delivery lease, ms
  ARGV[4] source address of the poll

  Returns:
  { 1, jobId, remaining, redelivery(0|1) }  a job to deliver; remaining = ids still queued
  { 0 }   nothing to deliver now
  { -1 }  the token's version is older than the site's (revoked token)
  { -2 }  Redis does not know the site (never warmed, or it lost its data), or knows an older
          token version than the token's: restore from PostgreSQL, then retry
]]
local site = redis.call('HMGET', KEYS[1], 'tv', 'org')
if not site[2] then return { -2 } end
local want, have = tonumber(ARGV[1]), tonumber(site[1] or '0')
if want < have then return { -1 } end
if want > have then return { -2 } end

local now = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'seen', ARGV[2], 'from', ARGV[4])

local run = redis.call('HMGET', KEYS[3], 'job', 'lease', 'claimed')
if run[1] then
  if run[3] == '1' or now < tonumber(run[2] or '0') then return { 0 } end
  redis.call('HSET', KEYS[3], 'lease', now + tonumber(ARGV[3]))
  return { 1, run[1], redis.call('LLEN', KEYS[2]), 1 }
end

local id = redis.call('LPOP', KEYS[2])
if not id then return { 0 } end
redis.call('HSET', KEYS[3], 'job', id, 'lease', now + tonumber(ARGV[3]), 'claimed', 0)
return { 1, id, redis.call('LLEN', KEYS[2]), 0 }
