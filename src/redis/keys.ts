import { crc32 } from 'node:zlib';

// Every Redis key name tikops uses, built in one place. One layout for single Redis and Redis
// Cluster (docs/redis.md): a Lua script or MULTI may only touch keys of one hash slot in a
// cluster, so each key carries the hash tag (`{…}`, https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags)
// of the script that touches it together with others.
//
// The poll (pop-next-7.lua) touches one site's keys *and* fleet-wide structures (`seen`, the
// samples stream, the deferred set, `inflight`). So the fleet-wide structures are split into
// SHARDS shards, a site belongs to the shard `shardOf(id)`, and the tag is the shard, not the site:
// `<prefix>{s7}:site:<id>`, `<prefix>{s7}:seen`. The poll stays one EVALSHA in one slot; the
// sweep, the drain and the reconciler walk the shards.

/**
 * Fixed: changing it moves every site to another shard (renames its keys). 16 shards spread over
 * any cluster of up to 16 masters, and 16 small pipelines per fleet-wide walk cost little.
 */
export const SHARDS = 16;

/** Every shard number, 0 … SHARDS-1. */
export const ALL_SHARDS: readonly number[] = Object.freeze(Array.from({ length: SHARDS }, (_, i) => i));

/** The shard of a site: CRC-32 of its id mod SHARDS (stable across processes and versions). */
export function shardOf(siteId: string): number {
  return crc32(siteId) % SHARDS;
}

/** Groups items by the shard of their site id, in first-seen order within each shard. */
export function byShard<T>(items: readonly T[], siteIdOf: (item: T) => string): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const shard = shardOf(siteIdOf(item));
    const g = groups.get(shard);
    if (g) g.push(item);
    else groups.set(shard, [item]);
  }
  return groups;
}

/** The keys fair-acquire-3.lua and fair-release-3.lua touch together: one slot per lane. */
export interface FairKeys {
  /** Zset of lease id → expiry ms: the delivery slots an org holds. */
  orgSlots(org: string): string;
  /** Zset of lease id → expiry ms: the delivery slots a destination holds. */
  destinationSlots(destination: string): string;
  /** Hash: a destination's circuit breaker (failures, until, opened, probe, probe_until). */
  circuit(destination: string): string;
}

export interface Keys {
  /** Hash: tv (device-token version), org, seen (ms), from (source address). Absent = not warmed. */
  site(siteId: string): string;
  /** List of job ids waiting for the site, FIFO (RPUSH to enqueue, LPOP to dispatch). */
  queue(siteId: string): string;
  /** Hash: job, lease (ms deadline), claimed (0/1). Present while a job is delivered or started. */
  run(siteId: string): string;
  /** Stream of a shard's heartbeat samples (those the poll script keeps), drained into PostgreSQL by a worker. */
  samples(shard: number): string;
  /** Set of a shard's site ids whose due sample was deferred while its stream was full (backpressure). */
  samplesDeferred(shard: number): string;
  /** Sorted set of a shard's site ids scored by last-seen ms; the offline sweep reads its low end. */
  seen(shard: number): string;
  /** Set of a shard's site ids whose run slot is held; the reconciler checks them against PostgreSQL. */
  inflight(shard: number): string;
  /** String: last-seen ms up to which the offline sweep has handled every shard's `seen` (src/fleet). */
  sweepMark: string;
  /** String with a TTL: the fleet-gauge snapshot one worker computes per interval (src/fleet/gauges.service.ts). */
  fleetGauges: string;
  /** String with a TTL: PostgreSQL has no `kind` with this id (src/redis/negative-cache.ts). */
  miss(kind: string, id: string): string;
  /** Prefix of rate-limiter-flexible's counters for one limit (it appends `:<key>`; src/redis/rate-limit.ts). */
  rateLimit(limit: string): string;
  /** The slots and circuits of one lane of outbound work (src/redis/fair-share.ts). */
  fair(lane: string): FairKeys;
  /** Pub/sub channel of live job and rollout changes, every org's (src/redis/events.ts). */
  events: string;
}

/** Key builder for one deployment (or one test file) under `prefix`. */
export function createKeys(prefix: string): Keys {
  const shard = (n: number): string => `${prefix}{s${n}}:`;
  const ofSite = (id: string): string => shard(shardOf(id));
  return {
    site: (id) => `${ofSite(id)}site:${id}`,
    queue: (id) => `${ofSite(id)}q:${id}`,
    run: (id) => `${ofSite(id)}run:${id}`,
    samples: (n) => `${shard(n)}samples`,
    samplesDeferred: (n) => `${shard(n)}samples:deferred`,
    seen: (n) => `${shard(n)}seen`,
    inflight: (n) => `${shard(n)}inflight`,
    // Not `seen:mark` as before sharding: a mark without the sharded `seen` sets would hide the
    // sites that stopped polling before an upgrade (docs/redis.md, "Upgrading").
    sweepMark: `${prefix}sweep:mark`,
    fleetGauges: `${prefix}fleet:gauges`,
    miss: (kind, id) => `${prefix}miss:${kind}:${id}`,
    rateLimit: (limit) => `${prefix}rl:${limit}`,
    fair: (lane) => {
      const tag = `${prefix}{fair:${lane}}:`;
      return {
        orgSlots: (org) => `${tag}slots:org:${org}`,
        destinationSlots: (destination) => `${tag}slots:dest:${destination}`,
        circuit: (destination) => `${tag}circuit:${destination}`,
      };
    },
    events: `${prefix}events`,
  };
}
