import type { Db } from '../db/prisma.js';

// notify_url deliveries: the job events they announce (rows of job_event) and one
// webhook_attempt row per HTTP attempt, whatever its outcome.

export type Outcome = 'delivered' | 'retrying' | 'gave_up' | 'refused';

/** The job_event types that become webhooks (the same list as the job_event outbox trigger's). */
export const WEBHOOK_EVENT_TYPES = ['delivered', 'started', 'completed', 'failed', 'cancelled', 'timed_out', 'rolled_back', 'config_changed'] as const;
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

const EVENT = { id: true, jobId: true, type: true, at: true, detail: true } as const;
const ATTEMPT = { eventId: true, attempt: true, url: true, statusCode: true, durationMs: true, error: true, outcome: true, at: true } as const;
const webhookWorthy = { in: [...WEBHOOK_EVENT_TYPES] };

/** A webhook-worthy job event, or null if it does not exist (its job was deleted) or is of another type. */
export async function findEvent(db: Db, id: bigint): Promise<EventRow | null> {
  return (await db.jobEvent.findFirst({ where: { id, type: webhookWorthy }, select: EVENT })) as EventRow | null;
}

/** The event's latest attempt, or null before the first. */
export function findLastAttempt(db: Db, eventId: bigint): Promise<Pick<AttemptRow, 'attempt' | 'outcome'> | null> {
  return db.webhookAttempt.findFirst({ where: { eventId }, select: { attempt: true, outcome: true }, orderBy: { id: 'desc' } });
}

export async function createAttempt(db: Db, a: NewAttempt, at: Date): Promise<void> {
  await db.webhookAttempt.create({ data: { ...a, at } });
}

/** The job's webhook-worthy events, oldest first. */
export async function listEvents(db: Db, jobId: string): Promise<EventRow[]> {
  return (await db.jobEvent.findMany({ where: { jobId, type: webhookWorthy }, select: EVENT, orderBy: { id: 'asc' } })) as EventRow[];
}

/** Every attempt of the job's deliveries, oldest first. */
export function listAttempts(db: Db, jobId: string): Promise<AttemptRow[]> {
  return db.webhookAttempt.findMany({ where: { jobId }, select: ATTEMPT, orderBy: { id: 'asc' } });
}
