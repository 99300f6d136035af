import { empty, raw, sql, type SqlClient } from '../db/sql.js';

// Every state transition is one compare-and-set statement that also records its job event, so
// PostgreSQL alone decides whether a delivery, claim or outcome happened, whatever Redis says.

export type JobState = 'queued' | 'delivered' | 'started' | 'completed' | 'failed' | 'cancelled' | 'timed_out';

export interface JobRow {
  id: string;
  seq: bigint;
  siteId: string;
  orgId: string;
  token: string;
  idempotencyKey: string;
  requestHash: string;
  description: string;
  script: string;
  expressExecute: boolean;
  needsAck: boolean;
  shouldBackup: boolean;
  associatedBackup: string | null;
  notifyUrl: string | null;
  state: JobState;
  attempt: number;
  leaseUntil: Date | null;
  leaseSeconds: number;
  timeoutSeconds: number;
  deadlineAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  failedAt: Date | null;
  cancelledAt: Date | null;
  timedOutAt: Date | null;
}

export interface NewJob {
  id: string;
  siteId: string;
  orgId: string;
  token: string;
  idempotencyKey: string;
  requestHash: string;
  description: string;
  script: string;
  expressExecute: boolean;
  needsAck: boolean;
  shouldBackup: boolean;
  notifyUrl: string | null;
  leaseSeconds: number;
  timeoutSeconds: number;
}

export interface JobEventRow {
  type: string;
  attempt: number;
  at: Date;
  detail: unknown;
}

const COLS = raw(`id, seq, site_id AS "siteId", org_id AS "orgId", token, idempotency_key AS "idempotencyKey",
  request_hash AS "requestHash", description, script, express_execute AS "expressExecute",
  needs_acknowledgement AS "needsAck", should_backup AS "shouldBackup", associated_backup AS "associatedBackup",
  notify_url AS "notifyUrl", state::text AS state, attempt, lease_until AS "leaseUntil",
  lease_seconds AS "leaseSeconds", timeout_seconds AS "timeoutSeconds", deadline_at AS "deadlineAt",
  created_at AS "createdAt", delivered_at AS "deliveredAt", started_at AS "startedAt", completed_at AS "completedAt",
  failed_at AS "failedAt", cancelled_at AS "cancelledAt", timed_out_at AS "timedOutAt"`);

/** A unique-constraint violation (SQLSTATE 23505). */
function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

/** Inserts the job and its `created` event; null if (site, idempotency key) already exists. */
export async function create(db: SqlClient, job: NewJob, now: Date): Promise<JobRow | null> {
  try {
    const rows = await db.rows<JobRow>(sql`
      WITH j AS (
        INSERT INTO job (id, site_id, org_id, token, idempotency_key, request_hash, description, script,
                         express_execute, needs_acknowledgement, should_backup, notify_url, lease_seconds,
                         timeout_seconds, created_at)
        VALUES (${job.id}::uuid, ${job.siteId}::uuid, ${job.orgId}, ${job.token}, ${job.idempotencyKey}::uuid,
                ${job.requestHash}, ${job.description}, ${job.script}, ${job.expressExecute}, ${job.needsAck},
                ${job.shouldBackup}, ${job.notifyUrl}, ${job.leaseSeconds}, ${job.timeoutSeconds}, ${now}::timestamptz)
        RETURNING *
      ), e AS (
        INSERT INTO job_event (job_id, type, attempt, at) SELECT id, 'created', 0, created_at FROM j
      )
      SELECT ${COLS} FROM j`);
    return rows[0] ?? null;
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

export async function findByIdempotencyKey(db: SqlClient, siteId: string, key: string): Promise<JobRow | null> {
  const rows = await db.rows<JobRow>(sql`
    SELECT ${COLS} FROM job WHERE site_id = ${siteId}::uuid AND idempotency_key = ${key}::uuid`);
  return rows[0] ?? null;
}

export async function findById(db: SqlClient, id: string): Promise<JobRow | null> {
  const rows = await db.rows<JobRow>(sql`SELECT ${COLS} FROM job WHERE id = ${id}::uuid`);
  return rows[0] ?? null;
}

export async function findBySite(db: SqlClient, siteId: string, id: string): Promise<JobRow | null> {
  const rows = await db.rows<JobRow>(sql`SELECT ${COLS} FROM job WHERE id = ${id}::uuid AND site_id = ${siteId}::uuid`);
  return rows[0] ?? null;
}

/** A page of the site's jobs, newest first, strictly older than `beforeSeq` when given. */
export function listBySite(db: SqlClient, siteId: string, limit: number, beforeSeq: bigint | null): Promise<JobRow[]> {
  const before = beforeSeq === null ? empty : sql`AND seq < ${beforeSeq}`;
  return db.rows<JobRow>(sql`
    SELECT ${COLS} FROM job WHERE site_id = ${siteId}::uuid ${before} ORDER BY seq DESC LIMIT ${limit}`);
}

export function listEvents(db: SqlClient, jobId: string): Promise<JobEventRow[]> {
  return db.rows<JobEventRow>(sql`
    SELECT type::text AS type, attempt, at, detail FROM job_event WHERE job_id = ${jobId}::uuid ORDER BY id`);
}

/** What Redis needs to dispatch a site: its queued ids in FIFO order and its in-flight job. */
export async function dispatchState(
  db: SqlClient,
  siteId: string,
): Promise<{ queued: string[]; inflight: Pick<JobRow, 'id' | 'state' | 'leaseUntil'> | null }> {
  const rows = await db.rows<Pick<JobRow, 'id' | 'state' | 'leaseUntil'>>(sql`
    SELECT id, state::text AS state, lease_until AS "leaseUntil" FROM job
    WHERE site_id = ${siteId}::uuid AND state IN ('queued', 'delivered', 'started') ORDER BY seq`);
  const inflight = rows.find((r) => r.state !== 'queued') ?? null;
  return { queued: rows.filter((r) => r.state === 'queued').map((r) => r.id), inflight };
}

/**
 * Hands the job out: queued → delivered (or completed when no acknowledgement is needed and there
 * is no backup step, whose outcome the server must hear), or a
 * new attempt of a delivered job whose lease expired — or at once with `force` (the router
 * rebooted, so the unclaimed delivery is gone). Bumps the attempt, which voids every URL of the
 * earlier delivery. Null if the CAS lost.
 */
export async function claimDelivery(db: SqlClient, id: string, siteId: string, now: Date, force: boolean): Promise<JobRow | null> {
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET
        state = (CASE WHEN needs_acknowledgement OR should_backup THEN 'delivered' ELSE 'completed' END)::"JobState",
        attempt = attempt + 1,
        delivered_at = ${now}::timestamptz,
        lease_until = CASE WHEN needs_acknowledgement OR should_backup
          THEN ${now}::timestamptz + make_interval(secs => lease_seconds) ELSE NULL END,
        completed_at = CASE WHEN needs_acknowledgement OR should_backup THEN NULL ELSE ${now}::timestamptz END
      WHERE id = ${id}::uuid AND site_id = ${siteId}::uuid
        AND (state = 'queued' OR (state = 'delivered' AND (lease_until <= ${now}::timestamptz OR ${force})))
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at)
      SELECT id, 'lease_expired'::"JobEventType", attempt - 1, ${now}::timestamptz FROM c WHERE attempt > 1
      UNION ALL SELECT id, 'delivered'::"JobEventType", attempt, ${now}::timestamptz FROM c
      UNION ALL SELECT id, 'completed'::"JobEventType", attempt, ${now}::timestamptz FROM c
        WHERE NOT (needs_acknowledgement OR should_backup)
    )
    SELECT ${COLS} FROM c`);
  return rows[0] ?? null;
}

/** The busy callback: delivered → started for this attempt while its lease holds. Null if refused. */
export async function claimStart(db: SqlClient, id: string, attempt: number, now: Date): Promise<JobRow | null> {
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET state = 'started', started_at = ${now}::timestamptz, lease_until = NULL,
        deadline_at = ${now}::timestamptz + make_interval(secs => timeout_seconds)
      WHERE id = ${id}::uuid AND attempt = ${attempt} AND state = 'delivered' AND lease_until > ${now}::timestamptz
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at) SELECT id, 'started', attempt, ${now}::timestamptz FROM c
    )
    SELECT ${COLS} FROM c`);
  return rows[0] ?? null;
}

/** The done/fail callback: delivered|started → completed|failed for this attempt. Null if a no-op. */
export async function finish(
  db: SqlClient,
  id: string,
  attempt: number,
  outcome: 'completed' | 'failed',
  now: Date,
): Promise<JobRow | null> {
  const completedAt = outcome === 'completed' ? now : null;
  const failedAt = outcome === 'failed' ? now : null;
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET state = ${outcome}::"JobState", lease_until = NULL, deadline_at = NULL,
        completed_at = COALESCE(${completedAt}::timestamptz, completed_at),
        failed_at = COALESCE(${failedAt}::timestamptz, failed_at)
      WHERE id = ${id}::uuid AND attempt = ${attempt} AND state IN ('delivered', 'started')
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at) SELECT id, ${outcome}::"JobEventType", attempt, ${now}::timestamptz FROM c
    )
    SELECT ${COLS} FROM c`);
  return rows[0] ?? null;
}

/** queued → cancelled. Null if the job was not queued (or is not the site's). */
export async function cancel(db: SqlClient, siteId: string, id: string, now: Date): Promise<JobRow | null> {
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET state = 'cancelled', cancelled_at = ${now}::timestamptz
      WHERE id = ${id}::uuid AND site_id = ${siteId}::uuid AND state = 'queued'
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at) SELECT id, 'cancelled', attempt, ${now}::timestamptz FROM c
    )
    SELECT ${COLS} FROM c`);
  return rows[0] ?? null;
}

/**
 * Settles claimed jobs that will never report: started → timed_out, for one job (`id`, e.g. the
 * router rebooted mid-job) or for every job past its deadline. Returns the settled jobs.
 */
export function timeOut(
  db: SqlClient,
  now: Date,
  reason: string,
  which: { id: string } | { limit: number },
): Promise<Pick<JobRow, 'id' | 'siteId'>[]> {
  const target =
    'id' in which
      ? sql`id = ${which.id}::uuid AND state = 'started'`
      : sql`id IN (SELECT id FROM job WHERE state = 'started' AND deadline_at <= ${now}::timestamptz
                          ORDER BY deadline_at LIMIT ${which.limit} FOR UPDATE SKIP LOCKED)`;
  return db.rows<Pick<JobRow, 'id' | 'siteId'>>(sql`
    WITH c AS (
      UPDATE job SET state = 'timed_out', timed_out_at = ${now}::timestamptz, deadline_at = NULL
      WHERE ${target}
      RETURNING id, site_id, attempt
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at, detail)
      SELECT id, 'timed_out', attempt, ${now}::timestamptz, jsonb_build_object('reason', ${reason}::text) FROM c
    )
    SELECT id, site_id AS "siteId" FROM c`);
}

/** Current state and site of each job id (missing ids are absent). */
export function statesByIds(db: SqlClient, ids: string[]): Promise<Pick<JobRow, 'id' | 'siteId' | 'state'>[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.rows<Pick<JobRow, 'id' | 'siteId' | 'state'>>(sql`
    SELECT id, site_id AS "siteId", state::text AS state FROM job WHERE id = ANY(${ids}::uuid[])`);
}

export interface SiteWork {
  siteId: string;
  queued: number;
  inflight: string | null;
}

/**
 * A page of sites that have dispatchable work in PostgreSQL: queued jobs created before
 * `queuedBefore` (younger ones may still be on their way to Redis) or a job in flight.
 */
export function sitesWithWork(db: SqlClient, queuedBefore: Date, after: string | null, limit: number): Promise<SiteWork[]> {
  const from = after === null ? empty : sql`AND site_id > ${after}::uuid`;
  return db.rows<SiteWork>(sql`
    SELECT site_id AS "siteId",
           (count(*) FILTER (WHERE state = 'queued'))::int AS queued,
           (array_agg(id ORDER BY seq) FILTER (WHERE state IN ('delivered', 'started')))[1]::text AS inflight
    FROM job
    WHERE ((state = 'queued' AND created_at < ${queuedBefore}::timestamptz) OR state IN ('delivered', 'started'))
    ${from}
    GROUP BY site_id ORDER BY site_id LIMIT ${limit}`);
}

/**
 * An outcome the router's agent reported in its heartbeat (its done/fail callback was lost):
 * started → completed|failed for the site's job with this token. Null if the job is not running.
 */
export async function finishReported(
  db: SqlClient,
  siteId: string,
  token: string,
  outcome: 'completed' | 'failed',
  now: Date,
): Promise<Pick<JobRow, 'id' | 'siteId' | 'state'> | null> {
  const completedAt = outcome === 'completed' ? now : null;
  const failedAt = outcome === 'failed' ? now : null;
  return db.one<Pick<JobRow, 'id' | 'siteId' | 'state'>>(sql`
    WITH c AS (
      UPDATE job SET state = ${outcome}::"JobState", lease_until = NULL, deadline_at = NULL,
        completed_at = COALESCE(${completedAt}::timestamptz, completed_at),
        failed_at = COALESCE(${failedAt}::timestamptz, failed_at)
      WHERE site_id = ${siteId}::uuid AND token = ${token} AND state = 'started'
      RETURNING id, site_id, state, attempt
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at, detail)
      SELECT id, ${outcome}::"JobEventType", attempt, ${now}::timestamptz, '{"source":"heartbeat last-job"}'::jsonb FROM c
    )
    SELECT id, site_id AS "siteId", state::text AS state FROM c`);
}
