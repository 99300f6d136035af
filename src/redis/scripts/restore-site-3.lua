--[[
  restore-site: rebuild a site's dispatch state from PostgreSQL after Redis lost it (restart,
  FLUSHALL) or before its first poll. The token version only ever rises (a restore that read an
  older version than a concurrent rotation wrote cannot resurrect a revoked token). The rest runs
  only if the site hash has no org yet, so concurrent restores by several API processes apply once. Jobs already in the queue (pushed since the loss) stay
  behind the restored ones; a job id pushed twice is harmless because every delivery is claimed
  with a compare-and-set in SQL.

  KEYS[1] site hash, KEYS[2] queue list, KEYS[3] run hash
  ARGV[1] token version
  ARGV[2] org id
  ARGV[3] in-flight job id, or '' if none
  ARGV[4] in-flight job claimed (0|1)
  ARGV[5] in-flight lease deadline, ms
  ARGV[6..] queued job ids, oldest first

  Returns: 1 if restored, 0 if the site was already warm (only its token version was raised).
]]
local cur = tonumber(redis.call('HGET', KEYS[1], 'tv') or '0')
redis.call('HSET', KEYS[1], 'tv', math.max(cur, tonumber(ARGV[1])))
if redis.call('HEXISTS', KEYS[1], 'org') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'org', ARGV[2])
if ARGV[3] ~= '' and redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('HSET', KEYS[3], 'job', ARGV[3], 'claimed', ARGV[4], 'lease', ARGV[5])
end
for i = #ARGV, 6, -1 do
  if not redis.call('LPOS', KEYS[2], ARGV[i]) then redis.call('LPUSH', KEYS[2], ARGV[i]) end
end
return 1
