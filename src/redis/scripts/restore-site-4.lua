--[[
  restore-site: merge a site's dispatch state from PostgreSQL into Redis, after Redis lost it
  (restart, FLUSHALL), before the site's first poll, or when the reconciler finds a job id missing
  (a crash between the SQL commit and the push). Idempotent: ids already queued stay where they
  are and missing ones go ahead of them (they are older); the run slot is set only if empty. The
  token version only ever rises, so a restore that read an older version than a concurrent
  rotation wrote cannot bring a revoked token back. A job id pushed twice is harmless: every
  delivery is claimed with a compare-and-set in SQL.

  KEYS[1] site hash, KEYS[2] queue list, KEYS[3] run hash, KEYS[4] inflight set
  ARGV[1] token version
  ARGV[2] org id
  ARGV[3] in-flight job id, or '' if none
  ARGV[4] in-flight job claimed (0|1)
  ARGV[5] in-flight lease deadline, ms
  ARGV[6] site id
  ARGV[7..] queued job ids, oldest first

  Returns: how many job ids were pushed.
]]
local cur = tonumber(redis.call('HGET', KEYS[1], 'tv') or '0')
redis.call('HSET', KEYS[1], 'tv', math.max(cur, tonumber(ARGV[1])), 'org', ARGV[2])
if ARGV[3] ~= '' and redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('HSET', KEYS[3], 'job', ARGV[3], 'claimed', ARGV[4], 'lease', ARGV[5])
  redis.call('SADD', KEYS[4], ARGV[6])
end
local running = redis.call('HGET', KEYS[3], 'job')
local pushed = 0
for i = #ARGV, 7, -1 do
  if ARGV[i] ~= running and not redis.call('LPOS', KEYS[2], ARGV[i]) then
    redis.call('LPUSH', KEYS[2], ARGV[i])
    pushed = pushed + 1
  end
end
return pushed
