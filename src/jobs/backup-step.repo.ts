import type { Db } from '../db/prisma.js';
import type { JobState } from './jobs.repo.js';

// The job transitions of the pre-job backup step (docs/backups.md). Like every job transition,
// each is one compare-and-set statement that also records its job events.

export interface BackupJobRow {
  id: string;
  siteId: string;
  state: JobState;
  attempt: number;
  shouldBackup: boolean;
  associatedBackup: string | null;
}

export async function findById(db: Db, id: string): Promise<BackupJobRow | null> {
  const rows = await db.$queryRaw<BackupJobRow[]>`
    SELECT id, site_id AS "siteId", state::text AS state, attempt, should_backup AS "shouldBackup",
           associated_backup AS "associatedBackup"
    FROM job WHERE id = ${id}::uuid`;
  return rows[0] ?? null;
}

/** The id of the site's job with this idempotency key, or null. */
export async function findIdByKey(db: Db, siteId: string, key: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM job WHERE site_id = ${siteId}::uuid AND idempotency_key = ${key}::uuid`;
  return rows[0]?.id ?? null;
}

/**
 * Records the stored backup on the claimed delivery `attempt` (started, with a backup step, none
 * stored yet): sets associated_backup and adds a backup_stored event. False if the CAS lost.
 */
export async function attachBackup(
  db: Db,
  id: string,
  attempt: number,
  stored: { path: string; size: number; sha256: string },
  now: Date,
): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH c AS (
      UPDATE job SET associated_backup = ${stored.path}
      WHERE id = ${id}::uuid AND attempt = ${attempt} AND state = 'started' AND should_backup
        AND associated_backup IS NULL
      RETURNING id, attempt
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at, detail)
      SELECT id, 'backup_stored', attempt, ${now}::timestamptz,
             jsonb_build_object('path', ${stored.path}::text, 'size', ${stored.size}::int, 'sha256', ${stored.sha256}::text)
      FROM c
    )
    SELECT id FROM c`;
  return rows.length > 0;
}

/**
 * delivered|started → failed for `attempt` of a job whose backup was not stored, with a
 * backup_failed event carrying `cause` and a failed event with the reason "backup failed".
 * Returns the site id, or null if the CAS lost.
 */
export async function failBackup(db: Db, id: string, attempt: number, cause: string, now: Date): Promise<string | null> {
  const rows = await db.$queryRaw<{ siteId: string }[]>`
    WITH c AS (
      UPDATE job SET state = 'failed', lease_until = NULL, deadline_at = NULL, failed_at = ${now}::timestamptz
      WHERE id = ${id}::uuid AND attempt = ${attempt} AND state IN ('delivered', 'started') AND should_backup
        AND associated_backup IS NULL
      RETURNING id, site_id, attempt
    ), e AS (
      INSERT INTO job_event (job_id, type, attempt, at, detail)
      SELECT id, 'backup_failed'::"JobEventType", attempt, ${now}::timestamptz, jsonb_build_object('reason', ${cause}::text) FROM c
      UNION ALL
      SELECT id, 'failed'::"JobEventType", attempt, ${now}::timestamptz, jsonb_build_object('reason', 'backup failed') FROM c
    )
    SELECT site_id AS "siteId" FROM c`;
  return rows[0]?.siteId ?? null;
}
