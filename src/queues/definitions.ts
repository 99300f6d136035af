import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

// One definition per BullMQ queue — name, payload schema, default job options, concurrency —
// shared by the producer (the outbox relay) and the consumer (workers/). A queue without a
// processor fails worker start-up.

export interface QueueDef<P extends z.ZodType = z.ZodType> {
  name: string;
  payload: P;
  options: JobsOptions;
  concurrency: number;
  /** Delay before retry `attemptsMade` (1-based), for `backoff: { type: 'custom' }` queues. */
  backoff?: (attemptsMade: number) => number;
}

const def = <P extends z.ZodType>(d: QueueDef<P>): QueueDef<P> => d;

export const queueDefs = {
  /** Singleton periodic work (reconcile, timeouts, …), driven by BullMQ job schedulers. */
  maintenance: def({
    name: 'maintenance',
    payload: z.object({}),
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 500 },
    concurrency: 4,
  }),
};

export type QueueName = keyof typeof queueDefs;
export type Payload<Q extends QueueName> = z.output<(typeof queueDefs)[Q]['payload']>;

export function isQueueName(name: string): name is QueueName {
  return Object.hasOwn(queueDefs, name);
}
