--[[
  set-run: change the site's run slot only if it holds the given job (compare-and-set on job id).

  KEYS[1] run hash     (job, lease, claimed)
  KEYS[2] inflight set of the site's shard (site ids whose run slot is held; same hash tag as KEYS[1])
  ARGV[1] job id the slot must hold
  ARGV[2] action: 'release' deletes the slot; 'claim' marks the job claimed (no lease any more);
          'await' marks a claimed rollback job as waiting for its confirmation (claimed = 2);
          'lease' sets a new lease deadline (ARGV[3], ms) and clears claimed
  ARGV[3] lease deadline for 'lease'
  ARGV[4] site id

  Returns: 1 if the slot held the job and was changed, 0 otherwise.
]]
if redis.call('HGET', KEYS[1], 'job') ~= ARGV[1] then return 0 end
if ARGV[2] == 'release' then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[4])
elseif ARGV[2] == 'claim' then
  redis.call('HSET', KEYS[1], 'claimed', 1)
elseif ARGV[2] == 'await' then
  redis.call('HSET', KEYS[1], 'claimed', 2)
else
  redis.call('HSET', KEYS[1], 'lease', ARGV[3], 'claimed', 0)
end
return 1
