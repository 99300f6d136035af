import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { Config } from '../config.js';
import { attemptsToSpan, backoffDelay, type Backoff } from '../lib/backoff.js';

// One definition per BullMQ queue — name, payload schema, default job options, concurrency —
// shared by the producer (the outbox relay) and the consumer (workers/). A queue without a
// processor fails worker start-up.

export interface QueueDef<P extends z.ZodType = z.ZodType> {
  name: string;
  payload: P;
  options: JobsOptions;
  concurrency: number;
  /** Delay before retry `attemptsMade` (1-based), for `backoff: { type: 'custom' }` queues. */
  backoff?: (attemptsMade: number, config: Readonly<Config>) => number;
}

/** The webhook retry schedule: WEBHOOK_BACKOFF_BASE_MS, doubling up to 1 h, each delay ±20%. */
export function webhookBackoff(config: Pick<Config, 'webhook'>): Backoff {
  return { baseMs: config.webhook.backoffBaseMs, capMs: 3_600_000, jitter: 0.2 };
}

/** Attempts per webhook event: enough that even the shortest jitter retries for WEBHOOK_RETRY_WINDOW_MS. */
export function webhookAttempts(config: Pick<Config, 'webhook'>): number {
  return attemptsToSpan(webhookBackoff(config), config.webhook.retryWindowMs);
}

const def = <P extends z.ZodType>(d: QueueDef<P>): QueueDef<P> => d;

/**
 * What every webhook queue shares: the service counts attempts (BullMQ's `attempts` is only a
 * backstop), the webhook backoff, and finished jobs kept a day so a relay repeated after a crash
 * finds the id and does not deliver twice. Each delivery mostly waits on a receiver.
 */
const WEBHOOK_DELIVERY = {
  options: {
    attempts: 1_000,
    backoff: { type: 'custom' },
    removeOnComplete: { age: 86_400, count: 10_000 },
    removeOnFail: { age: 86_400, count: 10_000 },
  },
  // Up to 10 s each waiting on a receiver; the fair-share caps (32 per org, 16 per destination by
  // default) stay well below this, so one dead receiver never holds a worker's slots.
  concurrency: 64,
  backoff: (attemptsMade: number, config: Readonly<Config>): number => backoffDelay(webhookBackoff(config), attemptsMade),
} satisfies Omit<QueueDef, 'name' | 'payload'>;

export const queueDefs = {
  /** Singleton periodic work (reconcile, timeouts, …), driven by BullMQ job schedulers. */
  maintenance: def({
    name: 'maintenance',
    payload: z.object({}),
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 500 },
    concurrency: 4,
  }),
  /**
   * Requested configuration backups (POST /site/{siteId}/backup, and backup schedules' runs:
   * src/backups): creates the backup job the request already named, not before `notBefore`.
   * Idempotent (fixed job id and idempotency key), so retries are safe.
   */
  backup: def({
    name: 'backup',
    payload: z.object({
      siteId: z.guid(),
      org: z.string().min(1),
      jobId: z.guid(),
      key: z.guid(),
      scheduleId: z.guid().optional(),
      notifyUrl: z.string().optional(),
      /** Epoch ms: a scheduled run's backups are spread over a window. */
      notBefore: z.number().int().optional(),
    }),
    options: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { age: 86_400, count: 10_000 },
      removeOnFail: { age: 604_800, count: 10_000 },
    },
    concurrency: 8,
  }),
  /**
   * Express execute: ask one job's router to poll now (src/express). One attempt only: the
   * processor retries inside a short budget itself, and a late express is worthless.
   */
  express: def({
    name: 'express',
    payload: z.object({ jobId: z.guid() }),
    options: { attempts: 1, removeOnComplete: 1_000, removeOnFail: 1_000 },
    // I/O-bound and mostly waiting on routers; a slow router must not hold up the others.
    concurrency: 32,
  }),
  /**
   * notify_url webhook deliveries (src/webhooks): one BullMQ job per job event (job id
   * `event-<id>`). The service gives up after webhookAttempts(config), which depends on
   * configuration; BullMQ's `attempts` is only a backstop above what any valid configuration
   * needs (about 230 at the extremes; test/unit/webhook-schedule.test.ts checks).
   */
  webhook: def({
    name: 'webhook',
    // A job event (`event-<id>`) or a rollout event (`rollout-event-webhook-<id>`, src/rollouts);
    // org and destination are added by the worker when a delivery is paused (src/redis/fair-share.ts).
    payload: z.union([
      z.object({ eventId: z.string().regex(/^[0-9]{1,19}$/), org: z.string().min(1).optional(), destination: z.string().min(1).optional() }),
      z.object({ rolloutEventId: z.string().regex(/^[0-9]{1,19}$/), org: z.string().min(1).optional(), destination: z.string().min(1).optional() }),
    ]),
    ...WEBHOOK_DELIVERY,
  }),
  /**
   * Rollout progress (src/rollouts): one step of a rollout — launch, next batch, pause on a
   * failure threshold, completion. Added by the job_event trigger when a rollout's job settles
   * (`rollout-event-<event id>`, through the outbox) and as delayed jobs for launch_at and the
   * batch interval; every step is idempotent and serialised per rollout in PostgreSQL.
   */
  rollout: def({
    name: 'rollout',
    payload: z.object({ rolloutId: z.guid() }),
    options: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { age: 3_600, count: 10_000 },
      removeOnFail: { age: 86_400, count: 10_000 },
    },
    concurrency: 4,
  }),
  /**
   * Fleet-event webhooks to organisations' endpoints (src/webhooks/org-events.service.ts): one
   * BullMQ job per (event, endpoint), job id `org-event-<event>-<endpoint>`, retried on the same
   * schedule as notify_url webhooks.
   */
  orgWebhook: def({
    name: 'org-webhook',
    payload: z.object({ eventId: z.string().regex(/^[0-9]{1,19}$/), endpointId: z.guid() }),
    ...WEBHOOK_DELIVERY,
  }),
};

export type QueueName = keyof typeof queueDefs;
export type Payload<Q extends QueueName> = z.output<(typeof queueDefs)[Q]['payload']>;

export function isQueueName(name: string): name is QueueName {
  return Object.hasOwn(queueDefs, name);
}
