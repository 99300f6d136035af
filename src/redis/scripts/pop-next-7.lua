--[[
  pop-next: authenticate a site's poll, record its heartbeat, and hand out at most one job.

  Single flight: while the site's run slot holds a job that is claimed, or whose delivery lease has
  not expired, nothing is handed out. An unclaimed job whose lease expired is handed out again (the
  caller's SQL compare-and-set bumps its attempt, which voids the earlier delivery's signatures).
  A reboot (uptime lower than the last heartbeat's) ends the lease of an unclaimed job at once, and
  reports a claimed one as interrupted so the caller can settle it. The samples stream marks at
  most one reboot per site per REBOOT_DEBOUNCE_MS (the site hash's `rm` holds when the last was
  marked), so a device token sending uptimes that go up and down cannot make the drain write a fault
  (or force a sample) per poll.

  Cost: one HMGET of the site hash, one HSET of it (everything the poll records, written once), a
  ZADD, and an LPOP; the run hash is read only unless the site hash says it is empty (`rf`), and the
  samples stream only when a sample is due.

  Every key carries the hash tag of the site's shard (src/redis/keys.ts), so the script runs in one
  slot of a Redis Cluster; KEYS[4..7] are the shard's, not the whole fleet's.

  KEYS[1] site hash    (tv, org, seen, from, up, hb: the latest heartbeat; ss, sk: when the last
                        sample was kept and its inventory digest; rm: ms of the last reboot marked;
                        lj: the last `last-job` report; rf: '1' once this script found the run hash
                        empty, cleared by whatever writes the run hash (this script, restore-site):
                        absent means unknown, so the run hash is read)
  KEYS[2] queue list   (entries `<job id>/<lease seconds>`, FIFO; lease 0 = no acknowledgement
                        expected, so the job is handed out without holding the run slot)
  KEYS[3] run hash     (job, lease = deadline ms, ls = lease seconds, claimed: 0, 1, or 2 = a rollback
                        job that reported done and waits for its confirmation, docs/rollback.md)
  KEYS[4] samples stream (the samples kept, drained into PostgreSQL by a worker)
  KEYS[5] seen zset    (site id scored by last-seen ms; the offline sweep reads its low end)
  KEYS[6] inflight set (site ids whose run slot is held; the reconciler checks them against SQL)
  KEYS[7] deferred set (sites whose due sample waits for the drain to catch up: backpressure)
  ARGV[1] token version carried by the device token
  ARGV[2] now, ms since epoch
  ARGV[3] delivery lease in seconds for an entry that carries none (written by an older version)
  ARGV[4] source address of the poll
  ARGV[5] uptime in seconds from the heartbeat, or '' if it carried none
  ARGV[6] heartbeat facts, compact JSON
  ARGV[7] site id
  ARGV[8] the shard's stream length beyond which samples are deferred, not appended (SAMPLE_STREAM_MAX / shards)
  ARGV[9] the agent's `last-job` report (`<job token>:ok|fail`), or ''
  ARGV[10] '1' to record the heartbeat; '0' on a caller's retry within the same poll
  ARGV[11] sample interval, ms: a heartbeat becomes a sample only this long after the last one kept,
           or at once after a reboot or an inventory change (SAMPLE_INTERVAL_SECONDS; 0: every poll)
  ARGV[12] the heartbeat's inventory digest (identity, version, model, …)

  Returns { code, jobId, remaining, redelivery, rebooted }:
  code  1  a job to deliver (remaining = ids still queued; redelivery 1 if handed out before); its
           run slot already holds it with its own lease, unless it needs no acknowledgement
  code  0  nothing to deliver now
  code  3  the claimed job jobId was interrupted by a reboot: settle it, then poll again
  code  4  the agent reports an outcome not seen before (ARGV[9]): settle it in SQL, then poll again
  code  5  the rollback job jobId waits for its confirmation: this later poll proves the router still
           reaches tikops, so hand out the confirmation (remaining = ids still queued)
  code -1  the token's version is older than the site's (revoked token)
  code -2  Redis does not know the site (never warmed, or it lost its data), or knows an older
           token version than the token's: restore from PostgreSQL, then retry
]]
-- A reboot within this long of the last one marked is not marked again: a real router takes well
-- over a minute to reboot and come back (issue 12, item 5). Job interruption is not debounced.
local REBOOT_DEBOUNCE_MS = 60000

local site = redis.call('HMGET', KEYS[1], 'tv', 'org', 'up', 'ss', 'sk', 'rm', 'lj', 'rf')
if not site[2] then return { -2, '', 0, 0, 0 } end
local want, have = tonumber(ARGV[1]), tonumber(site[1] or '0')
if want < have then return { -1, '', 0, 0, 0 } end
if want > have then return { -2, '', 0, 0, 0 } end

local now = tonumber(ARGV[2])
local rebooted = 0
local record = {} -- the site hash fields this poll writes, in one HSET on the way out

local function done(code, jobId, remaining, redelivery)
  if #record > 0 then redis.call('HSET', KEYS[1], unpack(record)) end
  return { code, jobId, remaining, redelivery, rebooted }
end

if ARGV[10] == '1' then
  record = { 'seen', ARGV[2], 'from', ARGV[4], 'hb', ARGV[6] }
  local marked = 0
  if ARGV[5] ~= '' then
    local prev = tonumber(site[3] or '')
    if prev and tonumber(ARGV[5]) < prev then
      rebooted = 1
      if now - tonumber(site[6] or '0') >= REBOOT_DEBOUNCE_MS then
        marked = 1
        table.insert(record, 'rm')
        table.insert(record, ARGV[2])
      end
    end
    table.insert(record, 'up')
    table.insert(record, ARGV[5])
  end
  redis.call('ZADD', KEYS[5], now, ARGV[7])
  -- PostgreSQL's work scales with the samples kept, not with polls: one device token can make the
  -- database store at most one sample per interval, plus one per reboot or inventory change.
  local last = tonumber(site[4] or '')
  if marked == 1 or site[5] ~= ARGV[12] or not last or now - last >= tonumber(ARGV[11]) then
    if redis.call('XLEN', KEYS[4]) < tonumber(ARGV[8]) then
      table.insert(record, 'ss')
      table.insert(record, ARGV[2])
      table.insert(record, 'sk')
      table.insert(record, ARGV[12])
      redis.call('XADD', KEYS[4], '*', 's', ARGV[7], 't', ARGV[2], 'f', ARGV[4], 'r', marked, 'hb', ARGV[6])
    else
      -- The drain is behind: nothing un-drained is ever trimmed. The site's latest heartbeat (hb,
      -- above) becomes its sample when the drain catches up, so a site's samples are coalesced
      -- into one however long the lag lasts (and a reboot in between is remembered).
      if marked == 1 then
        table.insert(record, 'rb')
        table.insert(record, 1)
      end
      redis.call('SADD', KEYS[7], ARGV[7])
    end
  end
end

-- A lost done/fail callback: the agent repeats its last outcome in every heartbeat; only a change
-- costs the caller a SQL statement.
if ARGV[9] ~= '' and site[7] ~= ARGV[9] then
  table.insert(record, 'lj')
  table.insert(record, ARGV[9])
  return done(4, '', 0, 0)
end

if site[8] ~= '1' then
  local run = redis.call('HMGET', KEYS[3], 'job', 'lease', 'claimed', 'ls')
  if run[1] then
    if run[3] == '2' then return done(5, run[1], redis.call('LLEN', KEYS[2]), 0) end
    if run[3] == '1' then
      if rebooted == 1 then return done(3, run[1], 0, 0) end
      return done(0, '', 0, 0)
    end
    if rebooted == 0 and now < tonumber(run[2] or '0') then return done(0, '', 0, 0) end
    redis.call('HSET', KEYS[3], 'lease', now + 1000 * tonumber(run[4] or ARGV[3]))
    return done(1, run[1], redis.call('LLEN', KEYS[2]), 1)
  end
  table.insert(record, 'rf')
  table.insert(record, '1')
end

local entry = redis.call('LPOP', KEYS[2])
if not entry then return done(0, '', 0, 0) end
local id, ls = string.match(entry, '^([^/]+)/(%d+)$')
if not id then id, ls = entry, ARGV[3] end
if tonumber(ls) > 0 then
  redis.call('HSET', KEYS[3], 'job', id, 'lease', now + 1000 * tonumber(ls), 'ls', ls, 'claimed', 0)
  redis.call('SADD', KEYS[6], ARGV[7])
  table.insert(record, 'rf')
  table.insert(record, '0')
end
return done(1, id, redis.call('LLEN', KEYS[2]), 0)
