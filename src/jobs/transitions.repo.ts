import { empty, sql, type SqlClient, type Statement } from '../db/sql.js';
import { COLS, type JobRow, type JobState } from './jobs.repo.js';

// The job state machine (ARCHITECTURE.md, "The job pipeline"): every compare-and-set on `job`,
// each one statement that also records its job events, so PostgreSQL alone decides whether a
// delivery, claim or outcome happened, whatever Redis says. Each returns what changed (or null
// when the compare-and-set lost); src/jobs/transitions.ts makes Redis follow.

/** A committed change of one job: its row afterwards and the states it entered, in order. */
export interface Transition {
  job: JobRow;
  /** Empty for a change that records an event without a new state (a stored backup). */
  entered: JobState[];
}

const moved = (row: JobRow | undefined, entered: (j: JobRow) => JobState[]): Transition | null =>
  row ? { job: row, entered: entered(row) } : null;

/**
 * Hands the job out: queued → delivered (or completed when no acknowledgement is needed and there
 * is no backup step, whose outcome the server must hear), or a new attempt of a delivered job
 * whose lease expired — or at once with `force` (the router rebooted, so the unclaimed delivery is
 * gone). Bumps the attempt, which voids every URL of the earlier delivery.
 */
export async function claimDelivery(
  db: SqlClient,
  id: string,
  siteId: string,
  now: Date,
  force: boolean,
): Promise<(Transition & { siteVersion: string | null }) | null> {
  // The site's RouterOS version comes back with the job (which wrapper the router can run), so
  // a delivery stays one statement.
  const rows = await db.rows<JobRow & { siteVersion: string | null }>(sql`
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
    SELECT ${COLS}, (SELECT software_version FROM site s WHERE s.id = c.site_id) AS "siteVersion" FROM c`);
  const row = rows[0];
  if (!row) return null;
  const { siteVersion, ...job } = row;
  return { job, entered: job.state === 'completed' ? ['delivered', 'completed'] : ['delivered'], siteVersion };
}

/**
 * A hand-out the router cannot take (its version cannot run the job, or the wrapper is too large
 * for it): queued (or delivered with an expired lease, or at once with `force`) → failed, with a
 * failed event carrying `reason`. Never completed: the payload did not run.
 */
export async function refuseDelivery(db: SqlClient, id: string, siteId: string, reason: string, now: Date, force: boolean): Promise<Transition | null> {
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET state = 'failed', failed_at = ${now}::timestamptz, lease_until = NULL, deadline_at = NULL
      WHERE id = ${id}::uuid AND site_id = ${siteId}::uuid
        AND (state = 'queued' OR (state = 'delivered' AND (lease_until <= ${now}::timestamptz OR ${force})))
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at, detail)
      SELECT id, 'failed'::"JobEventType", attempt, ${now}::timestamptz, jsonb_build_object('reason', ${reason}::text) FROM c
    )
    SELECT ${COLS} FROM c`);
  return moved(rows[0], () => ['failed']);
}

/** The busy callback: delivered → started for this attempt while its lease holds. */
export async function claimStart(db: SqlClient, id: string, attempt: number, now: Date): Promise<Transition | null> {
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET state = 'started', started_at = ${now}::timestamptz, lease_until = NULL,
        -- A rollback job may cut the router off until it reverts: its report may take that long.
        deadline_at = ${now}::timestamptz + make_interval(secs => timeout_seconds + COALESCE(rollback_after_seconds, 0))
      WHERE id = ${id}::uuid AND attempt = ${attempt} AND state = 'delivered' AND lease_until > ${now}::timestamptz
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at) SELECT id, 'started', attempt, ${now}::timestamptz FROM c
    )
    SELECT ${COLS} FROM c`);
  return moved(rows[0], () => ['started']);
}

export type Outcome = 'completed' | 'failed';

/** What a router with output capture reported with its outcome (already cut and cleaned). */
export interface OutcomeReport {
  output: string;
  error: string | null;
  truncated: boolean;
}

/**
 * An outcome: delivered|started → completed|failed, for the attempt that reported it (its done/fail
 * callback), or for the site's running job with this token (the agent's `last-job` heartbeat
 * report, when the callback was lost; only a started job, and the event says where it came from).
 * A rollback job's success is not final: it waits in awaiting_confirmation (docs/rollback.md) until
 * a later poll confirms it, or the router reports that it reverted; `deadline_at` bounds the wait.
 * `reason` labels a failure (the wrapper's unsigned hint).
 */
export async function finish(
  db: SqlClient,
  which: { id: string; attempt: number } | { siteId: string; token: string },
  outcome: Outcome,
  now: Date,
  report: OutcomeReport | null = null,
  reason: string | null = null,
): Promise<Transition | null> {
  const target =
    'id' in which
      ? sql`id = ${which.id}::uuid AND attempt = ${which.attempt} AND state IN ('delivered', 'started')`
      : sql`site_id = ${which.siteId}::uuid AND token = ${which.token} AND state = 'started'`;
  const detail = 'id' in which ? (reason === null ? null : JSON.stringify({ reason })) : JSON.stringify({ source: 'heartbeat last-job' });
  const awaits = outcome === 'completed';
  const completedAt = outcome === 'completed' ? now : null;
  const failedAt = outcome === 'failed' ? now : null;
  // A callback says whether it carried output; a heartbeat's last-job report says nothing of it.
  const output =
    'id' in which
      ? sql`, output = ${report?.output ?? null}, error = ${report?.error ?? null},
          output_truncated = ${report?.truncated ?? false}, output_supported = ${report !== null}`
      : empty;
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET
        state = (CASE WHEN ${awaits} AND rollback_after_seconds IS NOT NULL THEN 'awaiting_confirmation' ELSE ${outcome} END)::"JobState",
        lease_until = NULL,
        deadline_at = CASE WHEN ${awaits} AND rollback_after_seconds IS NOT NULL
          THEN ${now}::timestamptz + make_interval(secs => rollback_after_seconds + timeout_seconds) ELSE NULL END,
        completed_at = CASE WHEN rollback_after_seconds IS NOT NULL THEN completed_at ELSE COALESCE(${completedAt}::timestamptz, completed_at) END,
        failed_at = COALESCE(${failedAt}::timestamptz, failed_at) ${output}
      WHERE ${target}
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at, detail)
      SELECT id, state::text::"JobEventType", attempt, ${now}::timestamptz, ${detail}::jsonb FROM c
    )
    SELECT ${COLS} FROM c`);
  return moved(rows[0], (j) => [j.state]);
}

/**
 * A rollback job's confirmation (the router removed its revert entry after a later poll):
 * awaiting_confirmation → completed for the delivery `attempt`, with confirmed and completed events.
 */
export async function confirm(db: SqlClient, id: string, attempt: number, now: Date): Promise<Transition | null> {
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET state = 'completed', completed_at = ${now}::timestamptz, deadline_at = NULL
      WHERE id = ${id}::uuid AND attempt = ${attempt} AND state = 'awaiting_confirmation'
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at)
      SELECT id, 'confirmed'::"JobEventType", attempt, ${now}::timestamptz FROM c
      UNION ALL SELECT id, 'completed'::"JobEventType", attempt, ${now}::timestamptz FROM c
    )
    SELECT ${COLS} FROM c`);
  return moved(rows[0], () => ['completed']);
}

/**
 * The router reports (`rolled-back=<token>` in its heartbeat) that it restored the configuration
 * saved before the site's rollback job `token`: a started or awaiting job → rolled_back. Records
 * a rolled_back event and a resolved config_rolled_back site fault once per job, also for a job
 * that already failed (its revert stayed armed and undid what the payload did before it failed) or
 * timed out (e.g. its payload rebooted the router, which settled it as interrupted): those keep their state.
 */
export async function rollBack(db: SqlClient, siteId: string, token: string, now: Date): Promise<Transition | null> {
  const rows = await db.rows<JobRow>(sql`
    WITH t AS (
      SELECT id, site_id, attempt, state FROM job
      WHERE site_id = ${siteId}::uuid AND token = ${token} AND rollback_after_seconds IS NOT NULL
        AND state IN ('started', 'awaiting_confirmation', 'failed', 'timed_out')
        AND NOT EXISTS (SELECT 1 FROM job_event ev WHERE ev.job_id = job.id AND ev.type = 'rolled_back')
      FOR UPDATE
    ), c AS (
      UPDATE job SET state = 'rolled_back', lease_until = NULL, deadline_at = NULL
      WHERE id IN (SELECT id FROM t WHERE state IN ('started', 'awaiting_confirmation'))
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at, detail)
      SELECT id, 'rolled_back'::"JobEventType", attempt, ${now}::timestamptz, jsonb_build_object('from', state) FROM t
    ), f AS (
      INSERT INTO site_fault (id, site_id, type, created_at, resolved_at, detected_at, detail)
      SELECT gen_random_uuid(), site_id, 'config_rolled_back', ${now}::timestamptz, ${now}::timestamptz, ${now}::timestamptz,
             jsonb_build_object('job_id', id, 'token', ${token}::text)
      FROM t
      ON CONFLICT (site_id, type, created_at) DO NOTHING
    )
    SELECT ${COLS} FROM c`);
  return moved(rows[0], () => ['rolled_back']);
}

/** queued → cancelled (only the site's job), with `audit` (a CTE body over `c`, src/audit) if it moved. */
export async function cancel(db: SqlClient, siteId: string, id: string, now: Date, audit: Statement): Promise<Transition | null> {
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET state = 'cancelled', cancelled_at = ${now}::timestamptz
      WHERE id = ${id}::uuid AND site_id = ${siteId}::uuid AND state = 'queued'
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at) SELECT id, 'cancelled', attempt, ${now}::timestamptz FROM c
    ), a AS (${audit})
    SELECT ${COLS} FROM c`);
  return moved(rows[0], () => ['cancelled']);
}

/**
 * Settles claimed jobs that will never report: started → timed_out, for one job (`id`, e.g. the
 * router rebooted mid-job) or for up to `limit` jobs past their deadline.
 */
export async function timeOut(
  db: SqlClient,
  now: Date,
  reason: string,
  which: { id: string } | { limit: number },
): Promise<Transition[]> {
  const target =
    'id' in which
      ? sql`id = ${which.id}::uuid AND state = 'started'`
      : sql`id IN (SELECT id FROM job WHERE state IN ('started', 'awaiting_confirmation') AND deadline_at <= ${now}::timestamptz
                          ORDER BY deadline_at LIMIT ${which.limit} FOR UPDATE SKIP LOCKED)`;
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET state = 'timed_out', timed_out_at = ${now}::timestamptz, deadline_at = NULL
      WHERE ${target}
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at, detail)
      SELECT id, 'timed_out', attempt, ${now}::timestamptz, jsonb_build_object('reason', ${reason}::text) FROM c
    )
    SELECT ${COLS} FROM c`);
  return rows.map((job) => ({ job, entered: ['timed_out'] }));
}

/** What the backup step found: a new configuration (`previous`: the site's backup it differs from, if any), or the latest one again. */
export type BackupFinding = { unchanged: false; previous: string | null } | { unchanged: true };

/**
 * Records the backup on the claimed delivery `attempt` (started, with a backup step, none
 * recorded yet): sets associated_backup and adds a backup_stored event (plus config_changed when
 * it differs from an earlier backup), or backup_unchanged when `path` is the site's latest
 * backup found again. No state changes.
 */
export async function attachBackup(
  db: SqlClient,
  id: string,
  attempt: number,
  stored: { path: string; size: number; sha256: string },
  finding: BackupFinding,
  now: Date,
): Promise<Transition | null> {
  const detail = sql`jsonb_build_object('path', ${stored.path}::text, 'size', ${stored.size}::int, 'sha256', ${stored.sha256}::text)`;
  const changedFrom = finding.unchanged ? null : finding.previous;
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET associated_backup = ${stored.path}
      WHERE id = ${id}::uuid AND attempt = ${attempt} AND state = 'started' AND should_backup
        AND associated_backup IS NULL
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at, detail)
      SELECT id, ${finding.unchanged ? 'backup_unchanged' : 'backup_stored'}::"JobEventType", attempt, ${now}::timestamptz, ${detail}
      FROM c
      UNION ALL
      SELECT id, 'config_changed'::"JobEventType", attempt, ${now}::timestamptz,
             jsonb_build_object('path', ${stored.path}::text, 'previous', ${changedFrom}::text)
      FROM c WHERE ${changedFrom}::text IS NOT NULL
    )
    SELECT ${COLS} FROM c`);
  return moved(rows[0], () => []);
}

/**
 * delivered|started → failed for `attempt` of a job whose backup was not stored, with a
 * backup_failed event carrying `cause` and a failed event with `reason` ("backup failed", or
 * "backup failed: truncated" when the export that arrived is not whole).
 */
export async function failBackup(db: SqlClient, id: string, attempt: number, cause: string, now: Date, reason = 'backup failed'): Promise<Transition | null> {
  const rows = await db.rows<JobRow>(sql`
    WITH c AS (
      UPDATE job SET state = 'failed', lease_until = NULL, deadline_at = NULL, failed_at = ${now}::timestamptz
      WHERE id = ${id}::uuid AND attempt = ${attempt} AND state IN ('delivered', 'started') AND should_backup
        AND associated_backup IS NULL
      RETURNING *
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at, detail)
      SELECT id, 'backup_failed'::"JobEventType", attempt, ${now}::timestamptz, jsonb_build_object('reason', ${cause}::text) FROM c
      UNION ALL
      SELECT id, 'failed'::"JobEventType", attempt, ${now}::timestamptz, jsonb_build_object('reason', ${reason}::text) FROM c
    )
    SELECT ${COLS} FROM c`);
  return moved(rows[0], () => ['failed']);
}

/** Event types that annotate a job's history without changing its state (express execute). */
export type NoteType = 'express_requested' | 'express_succeeded' | 'express_failed' | 'express_unconfirmed';

/** Appends an annotation to the job's history for its current attempt; false if the job is gone. */
export async function note(db: SqlClient, id: string, type: NoteType, detail: Record<string, unknown>, now: Date): Promise<boolean> {
  const rows = await db.rows<{ id: string }>(sql`
    INSERT INTO job_event (job_id, type, attempt, at, detail)
    SELECT id, ${type}::"JobEventType", attempt, ${now}::timestamptz, ${JSON.stringify(detail)}::jsonb FROM job
    WHERE id = ${id}::uuid
    RETURNING job_id AS id`);
  return rows.length > 0;
}
