import type { Db } from '../db/prisma.js';

// notify_url deliveries: the job events they announce (rows of job_event) and one
// webhook_attempt row per HTTP attempt, whatever its outcome.

export type Outcome = 'delivered' | 'retrying' | 'gave_up' | 'refused';

/** The job_event types that become webhooks (the same list as the job_event outbox trigger's). */
export const WEBHOOK_EVENT_TYPES = ['delivered', 'started', 'completed', 'failed', 'cancelled', 'timed_out'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface EventRow {
  id: bigint;
  jobId: string;
  type: WebhookEventType;
  at: Date;
  detail: unknown;
}

export interface AttemptRow {
  eventId: bigint;
  attempt: number;
  url: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  outcome: Outcome;
  at: Date;
}

export type NewAttempt = Omit<AttemptRow, 'at'> & { jobId: string; deliveryId: string };

/** A webhook-worthy job event, or null if it does not exist (its job was deleted) or is of another type. */
export async function findEvent(db: Db, id: bigint): Promise<EventRow | null> {
  const rows = await db.$queryRaw<EventRow[]>`
    SELECT id, job_id AS "jobId", type::text AS type, at, detail FROM job_event
    WHERE id = ${id}::bigint AND type::text = ANY(${[...WEBHOOK_EVENT_TYPES]}::text[])`;
  return rows[0] ?? null;
}

/** The event's latest attempt, or null before the first. */
export async function findLastAttempt(db: Db, eventId: bigint): Promise<Pick<AttemptRow, 'attempt' | 'outcome'> | null> {
  const rows = await db.$queryRaw<Pick<AttemptRow, 'attempt' | 'outcome'>[]>`
    SELECT attempt, outcome::text AS outcome FROM webhook_attempt WHERE event_id = ${eventId}::bigint ORDER BY id DESC LIMIT 1`;
  return rows[0] ?? null;
}

export async function createAttempt(db: Db, a: NewAttempt, at: Date): Promise<void> {
  await db.$executeRaw`
    INSERT INTO webhook_attempt (job_id, event_id, delivery_id, attempt, url, status_code, duration_ms, error, outcome, at)
    VALUES (${a.jobId}::uuid, ${a.eventId}::bigint, ${a.deliveryId}, ${a.attempt}, ${a.url}, ${a.statusCode}, ${a.durationMs},
            ${a.error}, ${a.outcome}::"WebhookOutcome", ${at}::timestamptz)`;
}

/** The job's webhook-worthy events, oldest first. */
export function listEvents(db: Db, jobId: string): Promise<EventRow[]> {
  return db.$queryRaw<EventRow[]>`
    SELECT id, job_id AS "jobId", type::text AS type, at, detail FROM job_event
    WHERE job_id = ${jobId}::uuid AND type::text = ANY(${[...WEBHOOK_EVENT_TYPES]}::text[]) ORDER BY id`;
}

/** Every attempt of the job's deliveries, oldest first. */
export function listAttempts(db: Db, jobId: string): Promise<AttemptRow[]> {
  return db.$queryRaw<AttemptRow[]>`
    SELECT event_id AS "eventId", attempt, url, status_code AS "statusCode", duration_ms AS "durationMs", error,
           outcome::text AS outcome, at
    FROM webhook_attempt WHERE job_id = ${jobId}::uuid ORDER BY id`;
}
