import type { RedisClient } from './client.js';
import { ALL_SHARDS, byShard, SHARDS, type Keys } from './keys.js';

// Fleet health's Redis side: the heartbeat sample streams (consumer group `drain`), the `seen`
// sorted sets the offline sweep walks, and per-site presence for API reads. Each of these is split
// into SHARDS shards (src/redis/keys.ts); fleet-wide reads walk every shard, one command or
// pipeline per shard, all in flight at once. Plain commands only: each step is idempotent, so no
// Lua is needed.

const GROUP = 'drain';

/** One poll's sample as the poll script appended it to the stream. */
export interface SampleEntry {
  /** Stream entry id within its shard's stream (acknowledged once the sample is in PostgreSQL). */
  id: string;
  shard: number;
  siteId: string;
  /** Poll time, ms. */
  at: number;
  from: string;
  /** Uptime went backwards since the previous heartbeat. */
  rebooted: boolean;
  /** Compact JSON of the heartbeat facts kept by the poll path. */
  facts: string;
}

export interface SeenSite {
  siteId: string;
  seenMs: number;
}

export interface Presence {
  seenMs: number | null;
  from: string | null;
}

export interface FleetRedis {
  /** Samples other consumers read but did not acknowledge for `idleMs` (they died), now ours; about `count`. */
  claimStale(consumer: string, idleMs: number, count: number): Promise<SampleEntry[]>;
  /**
   * About `count` samples no consumer has read yet, taken evenly from the shards; `more` when a
   * shard may hold further ones.
   */
  readNew(consumer: string, count: number): Promise<{ entries: SampleEntry[]; more: boolean }>;
  /** Acknowledges and deletes entries (only after their rows are committed). */
  ack(entries: Pick<SampleEntry, 'id' | 'shard'>[]): Promise<void>;
  /** A shard's sites last seen in [minMs, maxMs] (min exclusive unless `minInclusive`), oldest first. */
  seenBetween(shard: number, minMs: number | null, minInclusive: boolean, maxMs: number, offset: number, count: number): Promise<SeenSite[]>;
  sweepMark(): Promise<number | null>;
  setSweepMark(ms: number): Promise<void>;
  /** Adds sites to `seen` where they are absent (never lowers or raises a live score). */
  seedSeen(sites: SeenSite[]): Promise<void>;
  /** Last-seen time and source address per site id, from the poll path's records. */
  presence(siteIds: string[]): Promise<Map<string, Presence>>;
  /** Forgets every dispatch and health record of purged sites. */
  forgetSites(siteIds: string[]): Promise<void>;
  /** Un-drained entries of every shard's stream. */
  streamLength(): Promise<number>;
  /** How many sites have a deferred sample waiting (backpressure, src/redis/scripts/pop-next-7.lua). */
  deferredCount(): Promise<number>;
  /**
   * Moves up to `count` deferred sites' latest heartbeats into the stream as samples; returns how
   * many. A crash midway loses nothing that matters: such a site's sample is simply due again.
   */
  requeueDeferred(count: number): Promise<number>;
  /** Stores the fleet-gauge snapshot (src/fleet/gauges.service.ts) for `ttlSeconds`. */
  setGauges(json: string, ttlSeconds: number): Promise<void>;
  /** The fleet-gauge snapshot, or null when none is fresh. */
  gauges(): Promise<string | null>;
}

type RawEntry = [string, string[] | null];

function toEntry([id, fields]: RawEntry, shard: number): SampleEntry | null {
  if (!fields) return null;
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  const at = Number(f.t);
  if (!f.s || !Number.isFinite(at)) return null;
  return { id, shard, siteId: f.s, at, from: f.f ?? '', rebooted: f.r === '1', facts: f.hb ?? '{}' };
}

/** Entries with a missing or garbled body still need acknowledging: they are returned as null. */
function toEntries(raw: RawEntry[], shard: number): { entries: SampleEntry[]; junk: string[] } {
  const entries: SampleEntry[] = [];
  const junk: string[] = [];
  for (const r of raw) {
    const e = toEntry(r, shard);
    if (e) entries.push(e);
    else junk.push(r[0]);
  }
  return { entries, junk };
}

/** Runs `fn` for every shard at once and sums (or collects) the results. */
const eachShard = <T>(fn: (shard: number) => Promise<T>): Promise<T[]> => Promise.all(ALL_SHARDS.map(fn));
const sum = (ns: number[]): number => ns.reduce((a, b) => a + b, 0);

const isNoGroup = (err: unknown): boolean => /NOGROUP/.test((err as Error).message ?? '');

/** Fleet health commands over one connection and key space. */
export function createFleetRedis(redis: RedisClient, keys: Keys): FleetRedis {
  const ensureGroup = async (shard: number): Promise<void> => {
    await redis.xgroup('CREATE', keys.samples(shard), GROUP, '0', 'MKSTREAM').catch((err: unknown) => {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    });
  };
  // The group vanishes with the stream (a Redis restart or flush): recreate it and retry once.
  const withGroup = async <T>(shard: number, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (!isNoGroup(err)) throw err;
      await ensureGroup(shard);
      return fn();
    }
  };
  const settle = async (shard: number, ids: string[]): Promise<void> => {
    const stream = keys.samples(shard);
    if (ids.length > 0) await redis.multi().xack(stream, GROUP, ...ids).xdel(stream, ...ids).exec();
  };
  const perShard = (count: number): number => Math.max(1, Math.ceil(count / SHARDS));

  return {
    async claimStale(consumer, idleMs, count) {
      const found = await eachShard(async (shard) => {
        const res = (await withGroup(shard, () =>
          redis.xautoclaim(keys.samples(shard), GROUP, consumer, idleMs, '0-0', 'COUNT', perShard(count)),
        )) as [string, RawEntry[]];
        const { entries, junk } = toEntries(res[1] ?? [], shard);
        await settle(shard, junk);
        return entries;
      });
      return found.flat();
    },
    async readNew(consumer, count) {
      const n = perShard(count);
      const found = await eachShard(async (shard) => {
        const res = (await withGroup(shard, () =>
          redis.xreadgroup('GROUP', GROUP, consumer, 'COUNT', n, 'STREAMS', keys.samples(shard), '>'),
        )) as [string, RawEntry[]][] | null;
        const raw = res?.[0]?.[1] ?? [];
        const { entries, junk } = toEntries(raw, shard);
        await settle(shard, junk);
        return { entries, full: raw.length >= n };
      });
      return { entries: found.flatMap((f) => f.entries), more: found.some((f) => f.full) };
    },
    async ack(entries) {
      const ids = new Map<number, string[]>();
      for (const e of entries) {
        const list = ids.get(e.shard) ?? [];
        list.push(e.id);
        ids.set(e.shard, list);
      }
      await Promise.all([...ids].map(([shard, group]) => settle(shard, group)));
    },
    async seenBetween(shard, minMs, minInclusive, maxMs, offset, count) {
      const min = minMs === null ? '-inf' : `${minInclusive ? '' : '('}${minMs}`;
      const flat = await redis.zrangebyscore(keys.seen(shard), min, maxMs, 'WITHSCORES', 'LIMIT', offset, count);
      const out: SeenSite[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ siteId: flat[i]!, seenMs: Number(flat[i + 1]) });
      return out;
    },
    async sweepMark() {
      const v = await redis.get(keys.sweepMark);
      return v === null ? null : Number(v);
    },
    async setSweepMark(ms) {
      await redis.set(keys.sweepMark, String(ms));
    },
    async seedSeen(sites) {
      await Promise.all(
        [...byShard(sites, (s) => s.siteId)].map(([shard, group]) =>
          redis.zadd(keys.seen(shard), 'NX', ...group.flatMap((s) => [s.seenMs, s.siteId])),
        ),
      );
    },
    async presence(siteIds) {
      const out = new Map<string, Presence>();
      await Promise.all(
        [...byShard(siteIds, (id) => id)].map(async ([shard, ids]) => {
          const pipe = redis.pipeline().zmscore(keys.seen(shard), ...ids);
          for (const id of ids) pipe.hget(keys.site(id), 'from');
          const res = (await pipe.exec()) ?? [];
          const scores = (res[0]?.[1] ?? []) as (string | null)[];
          ids.forEach((id, i) => {
            const score = scores[i];
            out.set(id, { seenMs: score == null ? null : Number(score), from: (res[i + 1]?.[1] as string | null) ?? null });
          });
        }),
      );
      return out;
    },
    async forgetSites(siteIds) {
      await Promise.all(
        [...byShard(siteIds, (id) => id)].map(async ([shard, ids]) => {
          const m = redis.multi();
          for (const id of ids) m.del(keys.site(id), keys.queue(id), keys.run(id));
          m.zrem(keys.seen(shard), ...ids).srem(keys.inflight(shard), ...ids);
          await m.exec();
        }),
      );
    },
    async setGauges(json, ttlSeconds) {
      await redis.set(keys.fleetGauges, json, 'EX', ttlSeconds);
    },

    gauges() {
      return redis.get(keys.fleetGauges);
    },

    async deferredCount() {
      return sum(await eachShard((shard) => redis.scard(keys.samplesDeferred(shard))));
    },

    async requeueDeferred(count) {
      return sum(await eachShard((shard) => requeueShard(redis, keys, shard, perShard(count))));
    },

    async streamLength() {
      return sum(await eachShard((shard) => redis.xlen(keys.samples(shard))));
    },
  };
}

/** Moves up to `count` of a shard's deferred sites' latest heartbeats into its stream. */
async function requeueShard(redis: RedisClient, keys: Keys, shard: number, count: number): Promise<number> {
  const ids = await redis.spop(keys.samplesDeferred(shard), count);
  if (ids.length === 0) return 0;
  const read = redis.pipeline();
  for (const id of ids) read.hmget(keys.site(id), 'seen', 'from', 'hb', 'rb');
  const rows = (await read.exec()) ?? [];
  const write = redis.pipeline();
  let n = 0;
  ids.forEach((id, i) => {
    const [seen, from, hb, rb] = (rows[i]?.[1] ?? []) as (string | null)[];
    if (!seen || !hb) return; // purged meanwhile
    write.xadd(keys.samples(shard), '*', 's', id, 't', seen, 'f', from ?? '', 'r', rb === '1' ? '1' : '0', 'hb', hb);
    write.hset(keys.site(id), 'ss', seen);
    write.hdel(keys.site(id), 'rb');
    n++;
  });
  if (n > 0) await write.exec();
  return n;
}
