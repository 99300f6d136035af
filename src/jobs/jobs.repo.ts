import { empty, join, raw, sql, type SqlClient, type Statement } from '../db/sql.js';

// Job rows: creation, reads, and what the dispatch path and the reconciler need. Every change of a
// job's state is a compare-and-set in ./transitions.repo.ts.

export type JobState = 'queued' | 'delivered' | 'started' | 'completed' | 'failed' | 'cancelled' | 'timed_out' | 'awaiting_confirmation' | 'rolled_back';

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
  createdBy: string | null;
  output: string | null;
  error: string | null;
  outputTruncated: boolean;
  outputSupported: boolean | null;
  /** The rollout it belongs to, if any (live events name it: src/redis/events.ts). */
  rolloutId: string | null;
  /** Safe apply (docs/rollback.md); null for an ordinary job. */
  rollbackAfterSeconds: number | null;
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
  rollbackAfterSeconds?: number | null;
  /** The operator behind it (`key:<id>`, `jwt:<sub>`); null for internal jobs. */
  createdBy?: string | null;
  /** The rollout it belongs to (src/rollouts); null or absent for every other job. */
  rolloutId?: string | null;
}

export interface JobEventRow {
  type: string;
  attempt: number;
  at: Date;
  detail: unknown;
}

export const COLS = raw(`id, seq, site_id AS "siteId", org_id AS "orgId", token, idempotency_key AS "idempotencyKey",
  request_hash AS "requestHash", description, script, express_execute AS "expressExecute",
  needs_acknowledgement AS "needsAck", should_backup AS "shouldBackup", associated_backup AS "associatedBackup",
  notify_url AS "notifyUrl", state::text AS state, attempt, lease_until AS "leaseUntil",
  lease_seconds AS "leaseSeconds", timeout_seconds AS "timeoutSeconds", deadline_at AS "deadlineAt",
  created_at AS "createdAt", delivered_at AS "deliveredAt", started_at AS "startedAt", completed_at AS "completedAt",
  failed_at AS "failedAt", cancelled_at AS "cancelledAt", timed_out_at AS "timedOutAt", created_by AS "createdBy", output, error,
  output_truncated AS "outputTruncated", output_supported AS "outputSupported",
  rollback_after_seconds AS "rollbackAfterSeconds", rollout_id AS "rolloutId"`);

/** A unique-constraint violation (SQLSTATE 23505). */
function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

/**
 * What the site must satisfy for the one-statement insert (createOnSite). The checks that
 * need the site's reported version are conservative in SQL: a version string the regular
 * expression does not read plainly as major ≥ 7 sends the request to the slow path, where
 * src/routeros/version.ts decides.
 */
export interface SiteGuard {
  /** The agent-removal job of a site being deleted: a deleted site qualifies. */
  allowDeleted: boolean;
  /** Only a site never seen, or one that reported RouterOS 7 or later (a backup step, a v6-sized payload). */
  v7Only: boolean;
}

/**
 * The job insert with its `created` event, and `audit` (a CTE body over `j`, src/audit) when the
 * job is an operator's: one statement, so the three rows commit or fail together. The row is
 * inserted only if the site is `job.orgId`'s and passes `guard`; `job.siteId` is taken from the
 * site row (its canonical spelling). Returns the new row's sequence number, nothing else: the
 * caller knows every other column (jobRowOf).
 */
export function createStatement(job: NewJob, now: Date, guard: SiteGuard, audit?: Statement): Statement {
  const deleted = guard.allowDeleted ? empty : sql`AND s.deleted_at IS NULL`;
  const version = guard.v7Only
    ? sql`AND (s.software_version IS NULL OR substring(s.software_version FROM '^([0-9]{1,3})[.][0-9]{1,3}')::int >= 7)`
    : empty;
  return sql`
    WITH j AS (
      INSERT INTO job (id, site_id, org_id, token, idempotency_key, request_hash, description, script,
                       express_execute, needs_acknowledgement, should_backup, notify_url, lease_seconds,
                       timeout_seconds, created_at, created_by, rollback_after_seconds)
      SELECT ${job.id}::uuid, s.id, s.org_id, ${job.token}, ${job.idempotencyKey}::uuid,
             ${job.requestHash}, ${job.description}, ${job.script}, ${job.expressExecute}, ${job.needsAck},
             ${job.shouldBackup}, ${job.notifyUrl}, ${job.leaseSeconds}, ${job.timeoutSeconds}, ${now}::timestamptz,
             ${job.createdBy ?? null}, ${job.rollbackAfterSeconds ?? null}::int
      FROM site s WHERE s.id = ${job.siteId}::uuid AND s.org_id = ${job.orgId} ${deleted} ${version}
      RETURNING id, site_id, seq, created_at
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at) SELECT id, 'created', 0, created_at FROM j
    )${audit ? sql`, a AS (${audit})` : empty}
    SELECT site_id AS "siteId", seq FROM j`;
}

/** The row PostgreSQL holds right after createStatement inserted `job`: the column defaults of a new job. */
export function jobRowOf(job: NewJob, inserted: { siteId: string; seq: bigint }, now: Date): JobRow {
  return {
    id: job.id,
    seq: inserted.seq,
    siteId: inserted.siteId,
    orgId: job.orgId,
    token: job.token,
    idempotencyKey: job.idempotencyKey,
    requestHash: job.requestHash,
    description: job.description,
    script: job.script,
    expressExecute: job.expressExecute,
    needsAck: job.needsAck,
    shouldBackup: job.shouldBackup,
    associatedBackup: null,
    notifyUrl: job.notifyUrl,
    state: 'queued',
    attempt: 0,
    leaseUntil: null,
    leaseSeconds: job.leaseSeconds,
    timeoutSeconds: job.timeoutSeconds,
    deadlineAt: null,
    createdAt: now,
    deliveredAt: null,
    startedAt: null,
    completedAt: null,
    failedAt: null,
    cancelledAt: null,
    timedOutAt: null,
    createdBy: job.createdBy ?? null,
    output: null,
    error: null,
    outputTruncated: false,
    outputSupported: null,
    rollbackAfterSeconds: job.rollbackAfterSeconds ?? null,
    // createStatement does not write rollout_id: a rollout's jobs are created by createMany.
    rolloutId: null,
  };
}

/**
 * Many jobs and their `created` events in ONE statement (a rollout's batch): each column travels
 * as one array parameter and `unnest` turns them back into rows, in the given order. A job whose
 * (site, idempotency key) or id already exists is skipped (ON CONFLICT DO NOTHING), so repeating
 * the insert creates nothing twice. Returns the rows actually inserted, in insertion order.
 */
export function createMany(db: SqlClient, jobs: NewJob[], now: Date): Promise<JobRow[]> {
  if (jobs.length === 0) return Promise.resolve([]);
  const col = <K extends keyof NewJob>(k: K): (NewJob[K] | null)[] => jobs.map((j) => j[k] ?? null);
  return db.rows<JobRow>(sql`
    WITH j AS (
      INSERT INTO job (id, site_id, org_id, token, idempotency_key, request_hash, description, script,
                       express_execute, needs_acknowledgement, should_backup, notify_url, lease_seconds,
                       timeout_seconds, created_at, created_by, rollout_id, rollback_after_seconds)
      SELECT id, site_id, org_id, token, idempotency_key, request_hash, description, script, express_execute,
             needs_ack, should_backup, notify_url, lease_seconds, timeout_seconds, ${now}::timestamptz, created_by, rollout_id,
             rollback_after_seconds
      FROM unnest(${col('id')}::uuid[], ${col('siteId')}::uuid[], ${col('orgId')}::text[], ${col('token')}::text[],
                  ${col('idempotencyKey')}::uuid[], ${col('requestHash')}::text[], ${col('description')}::text[],
                  ${col('script')}::text[], ${col('expressExecute')}::bool[], ${col('needsAck')}::bool[],
                  ${col('shouldBackup')}::bool[], ${col('notifyUrl')}::text[], ${col('leaseSeconds')}::int[],
                  ${col('timeoutSeconds')}::int[], ${col('createdBy')}::text[], ${col('rolloutId')}::uuid[],
                  ${col('rollbackAfterSeconds')}::int[])
           WITH ORDINALITY AS u(id, site_id, org_id, token, idempotency_key, request_hash, description, script,
                                express_execute, needs_ack, should_backup, notify_url, lease_seconds, timeout_seconds,
                                created_by, rollout_id, rollback_after_seconds, ord)
      ORDER BY ord
      ON CONFLICT DO NOTHING
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at) SELECT id, 'created', 0, created_at FROM j
    )
    SELECT ${COLS} FROM j ORDER BY seq`);
}

/**
 * Inserts the job and its `created` event (and audit row) if its site qualifies (createStatement):
 * the new row; `conflict` if (site, idempotency key) or the id already exists; `no_site` if no
 * site of the org passed `guard` (the caller finds out why).
 */
export async function create(db: SqlClient, job: NewJob, now: Date, guard: SiteGuard, audit?: Statement): Promise<JobRow | 'conflict' | 'no_site'> {
  try {
    const inserted = (await db.rows<{ siteId: string; seq: bigint }>(createStatement(job, now, guard, audit)))[0];
    return inserted ? jobRowOf(job, inserted, now) : 'no_site';
  } catch (err) {
    if (isUniqueViolation(err)) return 'conflict';
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

/** A page of the org's jobs, newest first (by seq, before `beforeSeq`), optionally filtered. */
export function listByOrg(
  db: SqlClient,
  org: string,
  f: { state?: string | undefined; siteId?: string | undefined; rolloutId?: string | undefined; since?: Date | undefined },
  limit: number,
  beforeSeq: bigint | null,
): Promise<JobRow[]> {
  const where = [sql`org_id = ${org}`];
  if (beforeSeq !== null) where.push(sql`seq < ${beforeSeq}`);
  if (f.state !== undefined) where.push(sql`state = ${f.state}::"JobState"`);
  if (f.siteId !== undefined) where.push(sql`site_id = ${f.siteId}::uuid`);
  // job_rollout_id_state_idx serves it.
  if (f.rolloutId !== undefined) where.push(sql`rollout_id = ${f.rolloutId}::uuid`);
  if (f.since !== undefined) where.push(sql`created_at >= ${f.since}::timestamptz`);
  return db.rows<JobRow>(sql`SELECT ${COLS} FROM job WHERE ${join(where, ' AND ')} ORDER BY seq DESC LIMIT ${limit}`);
}

export function listEvents(db: SqlClient, jobId: string): Promise<JobEventRow[]> {
  return db.rows<JobEventRow>(sql`
    SELECT type::text AS type, attempt, at, detail FROM job_event WHERE job_id = ${jobId}::uuid ORDER BY id`);
}

export type DispatchRow = Pick<JobRow, 'id' | 'state' | 'leaseUntil' | 'leaseSeconds' | 'needsAck' | 'shouldBackup'>;

/** What Redis needs to dispatch a site: its queued jobs in FIFO order and its in-flight job. */
export async function dispatchState(db: SqlClient, siteId: string): Promise<{ queued: DispatchRow[]; inflight: DispatchRow | null }> {
  const rows = await db.rows<DispatchRow>(sql`
    SELECT id, state::text AS state, lease_until AS "leaseUntil", lease_seconds AS "leaseSeconds",
           needs_acknowledgement AS "needsAck", should_backup AS "shouldBackup"
    FROM job WHERE site_id = ${siteId}::uuid AND state IN ('queued', 'delivered', 'started', 'awaiting_confirmation') ORDER BY seq`);
  const inflight = rows.find((r) => r.state !== 'queued') ?? null;
  return { queued: rows.filter((r) => r.state === 'queued'), inflight };
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
           (array_agg(id ORDER BY seq) FILTER (WHERE state IN ('delivered', 'started', 'awaiting_confirmation')))[1]::text AS inflight
    FROM job
    WHERE ((state = 'queued' AND created_at < ${queuedBefore}::timestamptz) OR state IN ('delivered', 'started', 'awaiting_confirmation'))
    ${from}
    GROUP BY site_id ORDER BY site_id LIMIT ${limit}`);
}
