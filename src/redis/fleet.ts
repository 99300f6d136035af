import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

// Fleet health's Redis side: the heartbeat sample stream (consumer group `drain`), the `seen`
// sorted set the offline sweep walks, and per-site presence for API reads. Plain commands only:
// each step is idempotent, so no Lua is needed.

const GROUP = 'drain';

/** One poll's sample as the poll script appended it to the stream. */
export interface SampleEntry {
  /** Stream entry id (acknowledged once the sample is in PostgreSQL). */
  id: string;
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
  /** Samples other consumers read but did not acknowledge for `idleMs` (they died), now ours. */
  claimStale(consumer: string, idleMs: number, count: number): Promise<SampleEntry[]>;
  /** Up to `count` samples no consumer has read yet. */
  readNew(consumer: string, count: number): Promise<SampleEntry[]>;
  /** Acknowledges and deletes entries (only after their rows are committed). */
  ack(ids: string[]): Promise<void>;
  /** Sites last seen in [minMs, maxMs] (min exclusive unless `minInclusive`), oldest first. */
  seenBetween(minMs: number | null, minInclusive: boolean, maxMs: number, offset: number, count: number): Promise<SeenSite[]>;
  sweepMark(): Promise<number | null>;
  setSweepMark(ms: number): Promise<void>;
  /** Adds sites to `seen` where they are absent (never lowers or raises a live score). */
  seedSeen(sites: SeenSite[]): Promise<void>;
  /** Last-seen time and source address per site id, from the poll path's records. */
  presence(siteIds: string[]): Promise<Map<string, Presence>>;
  /** Forgets every dispatch and health record of purged sites. */
  forgetSites(siteIds: string[]): Promise<void>;
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

function toEntry([id, fields]: RawEntry): SampleEntry | null {
  if (!fields) return null;
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  const at = Number(f.t);
  if (!f.s || !Number.isFinite(at)) return null;
  return { id, siteId: f.s, at, from: f.f ?? '', rebooted: f.r === '1', facts: f.hb ?? '{}' };
}

/** Entries with a missing or garbled body still need acknowledging: they are returned as null. */
function toEntries(raw: RawEntry[]): { entries: SampleEntry[]; junk: string[] } {
  const entries: SampleEntry[] = [];
  const junk: string[] = [];
  for (const r of raw) {
    const e = toEntry(r);
    if (e) entries.push(e);
    else junk.push(r[0]);
  }
  return { entries, junk };
}

const isNoGroup = (err: unknown): boolean => /NOGROUP/.test((err as Error).message ?? '');

/** Fleet health commands over one connection and key space. */
export function createFleetRedis(redis: Redis, keys: Keys): FleetRedis {
  const ensureGroup = async (): Promise<void> => {
    await redis.xgroup('CREATE', keys.samples, GROUP, '0', 'MKSTREAM').catch((err: unknown) => {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    });
  };
  // The group vanishes with the stream (a Redis restart or flush): recreate it and retry once.
  const withGroup = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (!isNoGroup(err)) throw err;
      await ensureGroup();
      return fn();
    }
  };
  const settleJunk = async (junk: string[]): Promise<void> => {
    if (junk.length > 0) await redis.multi().xack(keys.samples, GROUP, ...junk).xdel(keys.samples, ...junk).exec();
  };

  return {
    async claimStale(consumer, idleMs, count) {
      const res = (await withGroup(() =>
        redis.xautoclaim(keys.samples, GROUP, consumer, idleMs, '0-0', 'COUNT', count),
      )) as [string, RawEntry[]];
      const { entries, junk } = toEntries(res[1] ?? []);
      await settleJunk(junk);
      return entries;
    },
    async readNew(consumer, count) {
      const res = (await withGroup(() =>
        redis.xreadgroup('GROUP', GROUP, consumer, 'COUNT', count, 'STREAMS', keys.samples, '>'),
      )) as [string, RawEntry[]][] | null;
      const { entries, junk } = toEntries(res?.[0]?.[1] ?? []);
      await settleJunk(junk);
      return entries;
    },
    async ack(ids) {
      if (ids.length === 0) return;
      await redis.multi().xack(keys.samples, GROUP, ...ids).xdel(keys.samples, ...ids).exec();
    },
    async seenBetween(minMs, minInclusive, maxMs, offset, count) {
      const min = minMs === null ? '-inf' : `${minInclusive ? '' : '('}${minMs}`;
      const flat = await redis.zrangebyscore(keys.seen, min, maxMs, 'WITHSCORES', 'LIMIT', offset, count);
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
      if (sites.length === 0) return;
      await redis.zadd(keys.seen, 'NX', ...sites.flatMap((s) => [s.seenMs, s.siteId]));
    },
    async presence(siteIds) {
      const out = new Map<string, Presence>();
      if (siteIds.length === 0) return out;
      const pipe = redis.pipeline().zmscore(keys.seen, ...siteIds);
      for (const id of siteIds) pipe.hget(keys.site(id), 'from');
      const res = (await pipe.exec()) ?? [];
      const scores = (res[0]?.[1] ?? []) as (string | null)[];
      siteIds.forEach((id, i) => {
        const score = scores[i];
        out.set(id, { seenMs: score == null ? null : Number(score), from: (res[i + 1]?.[1] as string | null) ?? null });
      });
      return out;
    },
    async forgetSites(siteIds) {
      if (siteIds.length === 0) return;
      const m = redis.multi();
      for (const id of siteIds) m.del(keys.site(id), keys.queue(id), keys.run(id));
      m.zrem(keys.seen, ...siteIds).srem(keys.inflight, ...siteIds);
      await m.exec();
    },
    async setGauges(json, ttlSeconds) {
      await redis.set(keys.fleetGauges, json, 'EX', ttlSeconds);
    },

    gauges() {
      return redis.get(keys.fleetGauges);
    },

    deferredCount() {
      return redis.scard(keys.samplesDeferred);
    },

    async requeueDeferred(count) {
      const ids = await redis.spop(keys.samplesDeferred, count);
      if (ids.length === 0) return 0;
      const read = redis.pipeline();
      for (const id of ids) read.hmget(keys.site(id), 'seen', 'from', 'hb', 'rb');
      const rows = (await read.exec()) ?? [];
      const write = redis.pipeline();
      let n = 0;
      ids.forEach((id, i) => {
        const [seen, from, hb, rb] = (rows[i]?.[1] ?? []) as (string | null)[];
        if (!seen || !hb) return; // purged meanwhile
        write.xadd(keys.samples, '*', 's', id, 't', seen, 'f', from ?? '', 'r', rb === '1' ? '1' : '0', 'hb', hb);
        write.hset(keys.site(id), 'ss', seen);
        write.hdel(keys.site(id), 'rb');
        n++;
      });
      if (n > 0) await write.exec();
      return n;
    },

    streamLength() {
      return redis.xlen(keys.samples);
    },
  };
}
