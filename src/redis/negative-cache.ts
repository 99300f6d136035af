import type { Redis } from 'ioredis';
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

export function createNegativeCache(redis: Redis, keys: Keys): NegativeCache {
  return {
    async has(kind, id) {
      return (await redis.exists(keys.miss(kind, id))) === 1;
    },
    async add(kind, ids, ttlSeconds) {
      if (ids.length === 0) return;
      const m = redis.multi();
      for (const id of ids) m.set(keys.miss(kind, id), '1', 'EX', ttlSeconds);
      await m.exec();
    },
  };
}
