import type { RedisClient } from './client.js';
import type { Keys } from './keys.js';

// "PostgreSQL was asked and does not have it", remembered for a while: a client that keeps asking
// for something that does not exist (an unknown runbook token, the device token of a purged site)
// then costs one Redis GET instead of a query each time (docs/security.md). Ids are looked up as
// given, so callers pass a hash of any secret, never the secret.

export type MissKind = 'runbook' | 'site';

export interface NegativeCache {
  has(kind: MissKind, id: string): Promise<boolean>;
  add(kind: MissKind, ids: readonly string[], ttlSeconds: number): Promise<void>;
}

export function createNegativeCache(redis: RedisClient, keys: Keys): NegativeCache {
  return {
    async has(kind, id) {
      return (await redis.exists(keys.miss(kind, id))) === 1;
    },
    async add(kind, ids, ttlSeconds) {
      // Separate commands, not one MULTI: the keys lie in different hash slots of a cluster.
      await Promise.all(ids.map((id) => redis.set(keys.miss(kind, id), '1', 'EX', ttlSeconds)));
    },
  };
}
