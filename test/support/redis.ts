import { Cluster, type Redis } from 'ioredis';
import { inject } from 'vitest';
import type { RedisClient } from '../../src/redis/client.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set in the `cluster` project (test/support/cluster-setup.ts): the local Redis Cluster. */
    redisClusterUrl?: string;
  }
}

/** The Redis a test file runs against: the project's local cluster, or REDIS_URL (one Redis). */
export function testRedisEnv(): { REDIS_URL?: string } {
  const url = inject('redisClusterUrl');
  return url ? { REDIS_URL: url } : {};
}

/**
 * Deletes every key under `prefix`, on one Redis or on every master of a Redis Cluster (KEYS and
 * SCAN see one node's keys only). One key per command: a cluster refuses a DEL across hash slots.
 */
export async function deletePrefix(redis: RedisClient, prefix: string): Promise<number> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let deleted = 0;
  for (const node of nodes) {
    const stream = node.scanStream({ match: `${prefix}*`, count: 1_000 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      await Promise.all(keys.map((k) => redis.unlink(k)));
      deleted += keys.length;
    }
  }
  return deleted;
}
