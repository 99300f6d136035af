import { Queue } from 'bullmq';
import type { RedisClient } from '../redis/client.js';
import { isQueueName, queueDefs, type QueueName } from './definitions.js';

/**
 * BullMQ keys live under the deployment's Redis prefix, so tests and tenants never collide. The
 * prefix is a hash tag, as BullMQ documents for Redis Cluster (https://docs.bullmq.io/patterns/redis-cluster):
 * its scripts touch many keys of one queue at once. One tag per queue spreads the queues over the
 * cluster's nodes.
 */
export function bullPrefix(redisPrefix: string, queue: QueueName): string {
  return `${redisPrefix}{bull:${queue}}`;
}

export interface Producers {
  /** Adds jobs with deterministic ids (a repeated add of the same id is a no-op while it exists). */
  addBulk(queue: QueueName, jobs: { jobId: string; data: unknown }[]): Promise<void>;
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

/** Typed producers over one (patient, worker-role) Redis connection. */
export function createProducers(connection: RedisClient, redisPrefix: string): Producers {
  const queues = new Map<QueueName, Queue>();
  const get = (name: QueueName): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(queueDefs[name].name, { connection, prefix: bullPrefix(redisPrefix, name), defaultJobOptions: queueDefs[name].options });
      queues.set(name, q);
    }
    return q;
  };
  return {
    async addBulk(name, jobs) {
      if (!isQueueName(name)) throw new Error(`unknown queue ${String(name)}`);
      await get(name).addBulk(jobs.map((j) => ({ name, data: j.data, opts: { jobId: j.jobId } })));
    },
    queue: get,
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
