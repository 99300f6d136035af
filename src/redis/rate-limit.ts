import type { RedisClient } from './client.js';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Keys } from './keys.js';

// Request rate limits shared by every API pod: rate-limiter-flexible's fixed window (one Lua
// INCR + PEXPIRE per request) on the API's Redis connection, under the deployment's key prefix.
// A key that went far over its limit is also remembered in this process until its window ends,
// so a flood costs no Redis round trip (inMemoryBlockOnConsumed).

/** The limits: per operator credential, and per source address on the routes anyone can call. */
export type LimitName = 'operator' | 'address';

export type LimitVerdict =
  /** Counted: `remaining` requests left in the window, which resets in `resetMs`. */
  | { allowed: boolean; limit: number; remaining: number; resetMs: number }
  /** Redis could not count (down, not ready): the caller lets the request through. */
  | { allowed: true; unknown: Error };

export interface RateLimits {
  /** Counts one request of `key` against limit `name`; null when that limit is off (0 per minute). */
  consume(name: LimitName, key: string): Promise<LimitVerdict | null>;
}

const WINDOW_SECONDS = 60;

/** Limits of `perMinute` requests per key and minute each (0 turns a limit off). */
export function createRateLimits(redis: RedisClient, keys: Keys, perMinute: Record<LimitName, number>): RateLimits {
  const limiters = new Map<LimitName, RateLimiterRedis>();
  for (const name of ['operator', 'address'] as const) {
    const points = perMinute[name];
    if (points <= 0) continue;
    limiters.set(
      name,
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: keys.rateLimit(name),
        points,
        duration: WINDOW_SECONDS,
        // Not ready (reconnecting) fails at once instead of waiting on a command that cannot be sent.
        rejectIfRedisNotReady: true,
        inMemoryBlockOnConsumed: points * 2,
      }),
    );
  }
  return {
    async consume(name, key) {
      const limiter = limiters.get(name);
      if (!limiter) return null;
      const limit = limiter.points;
      try {
        const res = await limiter.consume(key);
        return { allowed: true, limit, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
      } catch (err) {
        // The library rejects with a RateLimiterRes when over the limit, with an Error when Redis failed.
        if (err instanceof RateLimiterRes) return { allowed: false, limit, remaining: 0, resetMs: err.msBeforeNext };
        return { allowed: true, unknown: err instanceof Error ? err : new Error(String(err)) };
      }
    },
  };
}
