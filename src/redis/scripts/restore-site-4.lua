--[[
  restore-site: merge a site's dispatch state from PostgreSQL into Redis, after Redis lost it
  (restart, FLUSHALL), before the site's first poll, when the reconciler finds a job missing (a
  crash between the SQL commit and the push), or when an idempotent replay finds its job still
  queued. The queue ends up in PostgreSQL's order (FIFO by creation): the queued entries
  PostgreSQL listed, then, in their order, entries Redis holds that PostgreSQL did not list (jobs
  committed after PostgreSQL was read; stale ids of settled jobs are harmless, since every
  delivery is a compare-and-set in SQL). The run slot is set only if empty. The token version only
  ever rises, so a restore that read an older version than a concurrent rotation wrote cannot
  bring a revoked token back. It clears the site hash's `rf` (pop-next-7.lua's note that the run
  hash is empty), since it may write the run hash.

  KEYS[1] site hash, KEYS[2] queue list, KEYS[3] run hash, KEYS[4] inflight set of the site's shard
  (all four under the shard's hash tag, src/redis/keys.ts)
  ARGV[1] token version
  ARGV[2] org id
  ARGV[3] in-flight job id, or '' if none
  ARGV[4] in-flight job claimed (0|1, or 2: a rollback job awaiting its confirmation)
  ARGV[5] in-flight lease deadline, ms
  ARGV[6] site id
  ARGV[7] in-flight job's lease, seconds
  ARGV[8..] queued entries (`<job id>/<lease seconds>`), oldest first

  Returns: how many entries were added to the queue.
]]
local cur = tonumber(redis.call('HGET', KEYS[1], 'tv') or '0')
redis.call('HSET', KEYS[1], 'tv', math.max(cur, tonumber(ARGV[1])), 'org', ARGV[2], 'rf', '0')
if ARGV[3] ~= '' and redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('HSET', KEYS[3], 'job', ARGV[3], 'claimed', ARGV[4], 'lease', ARGV[5], 'ls', ARGV[7])
  redis.call('SADD', KEYS[4], ARGV[6])
end
local running = redis.call('HGET', KEYS[3], 'job')
local listed, order = {}, {}
for i = 8, #ARGV do
  local id = string.match(ARGV[i], '^([^/]+)')
  if id ~= running and not listed[ARGV[i]] then
    listed[ARGV[i]] = true
    order[#order + 1] = ARGV[i]
  end
end
local present = redis.call('LRANGE', KEYS[2], 0, -1)
local had = {}
for _, e in ipairs(present) do had[e] = true end
local added = 0
for _, e in ipairs(order) do if not had[e] then added = added + 1 end end
for _, e in ipairs(present) do
  if not listed[e] then
    listed[e] = true
    order[#order + 1] = e
  end
end
redis.call('DEL', KEYS[2])
for i = 1, #order, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(order, i, math.min(i + 999, #order)))
end
return added
