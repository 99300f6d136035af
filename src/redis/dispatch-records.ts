import type { RedisClient } from './client.js';
import { ALL_SHARDS, byShard, shardOf, type Keys } from './keys.js';

// Plain-command reads of the dispatch records, for the reconciler (src/jobs/reconcile.service.ts),
// which checks them against PostgreSQL. The dispatch path itself changes them only through the Lua
// scripts of ./dispatch.ts.

export interface SiteSlot {
  siteId: string;
  /** Redis knows the site (its hash is warm). */
  known: boolean;
  queued: number;
  /** The job id in the site's run slot, or null. */
  running: string | null;
}

export interface DispatchRecords {
  /** Per site: whether Redis knows it, its queue length and the job in its run slot. */
  inspect(siteIds: string[]): Promise<SiteSlot[]>;
  /** The ids of sites with a held run slot, in batches, shard after shard. */
  inflightSites(batch: number): AsyncIterable<string[]>;
  forgetInflight(siteId: string): Promise<void>;
}

/** Reads one shard's sites in one pipeline (one slot, so one node of a cluster). */
async function inspectShard(redis: RedisClient, keys: Keys, siteIds: string[]): Promise<SiteSlot[]> {
  const pipe = redis.pipeline();
  for (const id of siteIds) {
    pipe.hexists(keys.site(id), 'org');
    pipe.llen(keys.queue(id));
    pipe.hget(keys.run(id), 'job');
  }
  const res = (await pipe.exec()) ?? [];
  return siteIds.map((siteId, i) => ({
    siteId,
    known: res[i * 3]?.[1] === 1,
    queued: Number(res[i * 3 + 1]?.[1] ?? 0),
    running: (res[i * 3 + 2]?.[1] as string | null) ?? null,
  }));
}

export function createDispatchRecords(redis: RedisClient, keys: Keys): DispatchRecords {
  return {
    async inspect(siteIds) {
      if (siteIds.length === 0) return [];
      const groups = await Promise.all([...byShard(siteIds, (id) => id).values()].map((ids) => inspectShard(redis, keys, ids)));
      const found = new Map(groups.flat().map((s) => [s.siteId, s]));
      return siteIds.map((id) => found.get(id)!);
    },
    async *inflightSites(batch) {
      for (const shard of ALL_SHARDS) {
        let cursor = '0';
        do {
          const [next, ids] = await redis.sscan(keys.inflight(shard), cursor, 'COUNT', batch);
          cursor = next;
          if (ids.length > 0) yield ids;
        } while (cursor !== '0');
      }
    },
    async forgetInflight(siteId) {
      await redis.srem(keys.inflight(shardOf(siteId)), siteId);
    },
  };
}
