// Every Redis key name tikops uses, built in one place. Single Redis (or Sentinel) deployments only:
// scripts touch several keys of one site, which Redis Cluster would need hash tags for.

export interface Keys {
  /** Hash: tv (device-token version), org, seen (ms), from (source address). Absent = not warmed. */
  site(siteId: string): string;
  /** List of job ids waiting for the site, FIFO (RPUSH to enqueue, LPOP to dispatch). */
  queue(siteId: string): string;
  /** Hash: job, lease (ms deadline), claimed (0/1). Present while a job is delivered or started. */
  run(siteId: string): string;
  /** Stream of heartbeat samples (those the poll script keeps), drained into PostgreSQL by a worker. */
  samples: string;
  /** Set of site ids whose due sample was deferred while the stream was full (backpressure). */
  samplesDeferred: string;
  /** Sorted set of site ids scored by last-seen ms; the offline sweep reads its low end. */
  seen: string;
  /** Set of site ids whose run slot is held; the reconciler checks them against PostgreSQL. */
  inflight: string;
  /** String: last-seen ms up to which the offline sweep has handled `seen` (src/fleet). */
  sweepMark: string;
  /** String with a TTL: the fleet-gauge snapshot one worker computes per interval (src/fleet/gauges.service.ts). */
  fleetGauges: string;
  /** String with a TTL: PostgreSQL has no `kind` with this id (src/redis/negative-cache.ts). */
  miss(kind: string, id: string): string;
  /** Prefix of rate-limiter-flexible's counters for one limit (it appends `:<key>`; src/redis/rate-limit.ts). */
  rateLimit(limit: string): string;
  /** Hashes of lease id → expiry ms: the delivery slots an org, or a destination, holds (src/redis/fair-share.ts). */
  slots(kind: string, id: string): string;
  /** Hash: a destination's circuit breaker (failures, open_until, opened, probe). */
  circuit(kind: string, destination: string): string;
  /** Pub/sub channel of live job and rollout changes, every org's (src/redis/events.ts). */
  events: string;
}

/** Key builder for one deployment (or one test file) under `prefix`. */
export function createKeys(prefix: string): Keys {
  return {
    site: (id) => `${prefix}site:${id}`,
    queue: (id) => `${prefix}q:${id}`,
    run: (id) => `${prefix}run:${id}`,
    samples: `${prefix}samples`,
    samplesDeferred: `${prefix}samples:deferred`,
    seen: `${prefix}seen`,
    inflight: `${prefix}inflight`,
    sweepMark: `${prefix}seen:mark`,
    fleetGauges: `${prefix}fleet:gauges`,
    miss: (kind, id) => `${prefix}miss:${kind}:${id}`,
    rateLimit: (limit) => `${prefix}rl:${limit}`,
    slots: (kind, id) => `${prefix}slots:${kind}:${id}`,
    circuit: (kind, destination) => `${prefix}circuit:${kind}:${destination}`,
    events: `${prefix}events`,
  };
}
