import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { isQueueName, queueDefs, type QueueName } from './definitions.js';

/** BullMQ keys live under the deployment's Redis prefix, so tests and tenants never collide. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}bull`;
}

export interface Producers {
  /** Adds jobs with deterministic ids (a repeated add of the same id is a no-op while it exists). */
  addBulk(queue: QueueName, jobs: { jobId: string; data: unknown }[]): Promise<void>;
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

/** Typed producers over one (patient, worker-role) Redis connection. */
export function createProducers(connection: Redis, redisPrefix: string): Producers {
  const prefix = bullPrefix(redisPrefix);
  const queues = new Map<QueueName, Queue>();
  const get = (name: QueueName): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(queueDefs[name].name, { connection, prefix, defaultJobOptions: queueDefs[name].options });
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
