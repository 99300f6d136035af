import type { Db, DbTx } from '../db/prisma.js';
import { sqlArray } from '../db/sql-array.js';
import { sql, type SqlClient } from '../db/sql.js';
import type { Keyset } from '../lib/cursor.js';

// Backup schedules (table backup_schedule) and what a run reads and writes: the sites it covers
// and one outbox row per backup request (the `backup` queue creates the jobs).

export interface ScheduleRow {
  id: string;
  orgId: string;
  siteId: string | null;
  tag: string | null;
  cron: string;
  timeZone: string;
  spreadSeconds: number;
  notifyUrl: string | null;
  nextRunAt: Date;
  lastRunAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
}

export async function create(tx: DbTx, row: Omit<ScheduleRow, 'lastRunAt' | 'createdAt'>, now: Date): Promise<ScheduleRow> {
  return tx.backupSchedule.create({ data: { ...row, createdAt: now } });
}

export function findForOrg(db: Db, org: string, id: string): Promise<ScheduleRow | null> {
  return db.backupSchedule.findFirst({ where: { id, orgId: org } });
}

/** Up to `limit` of the org's schedules, newest first, after `after`. */
export function listForOrg(db: Db, org: string, limit: number, after: Keyset | null): Promise<ScheduleRow[]> {
  const from = after === null ? {} : { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.key } }] };
  return db.backupSchedule.findMany({ where: { orgId: org, ...from }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit });
}

export async function remove(tx: DbTx, org: string, id: string): Promise<ScheduleRow | null> {
  const row = await tx.backupSchedule.findFirst({ where: { id, orgId: org } });
  if (row) await tx.backupSchedule.delete({ where: { id } });
  return row;
}

/** Up to `limit` schedules due at `now`, locked for this transaction (others skip them). */
export function lockDue(tx: SqlClient, now: Date, limit: number): Promise<ScheduleRow[]> {
  return tx.rows<ScheduleRow>(sql`
    SELECT id, org_id AS "orgId", site_id AS "siteId", tag, cron, time_zone AS "timeZone",
           spread_seconds AS "spreadSeconds", notify_url AS "notifyUrl", next_run_at AS "nextRunAt",
           last_run_at AS "lastRunAt", created_by AS "createdBy", created_at AS "createdAt"
    FROM backup_schedule WHERE next_run_at <= ${now}::timestamptz
    ORDER BY next_run_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`);
}

/**
 * The sites a run covers: the schedule's site, or the org's sites with its tag; never deleted
 * ones, nor sites known to run RouterOS v6 (a backup needs v7: docs/backups.md).
 */
export function targetSites(tx: SqlClient, s: ScheduleRow): Promise<{ id: string }[]> {
  const which = s.siteId !== null ? sql`id = ${s.siteId}::uuid` : sql`tags @> ARRAY[${s.tag}]::text[]`;
  return tx.rows<{ id: string }>(sql`
    SELECT id FROM site
    WHERE org_id = ${s.orgId} AND ${which} AND deleted_at IS NULL
      AND (software_version IS NULL OR software_version !~ '^[0-6]\\.')
    ORDER BY id`);
}

/** One multi-row insert of backup requests into the outbox; rows already there (a repeated run) are skipped. */
export async function insertRequests(tx: SqlClient, rows: readonly { jobKey: string; payload: unknown }[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx.rows<{ id: bigint }>(sql`
    INSERT INTO outbox (queue, job_key, payload)
    SELECT 'backup', k, p::jsonb
    FROM unnest(${sqlArray(rows.map((r) => r.jobKey))}::text[], ${sqlArray(rows.map((r) => JSON.stringify(r.payload)))}::text[]) AS t(k, p)
    ON CONFLICT (job_key) DO NOTHING
    RETURNING id`);
  return inserted.length;
}

export async function markRun(tx: SqlClient, id: string, ranAt: Date, next: Date): Promise<void> {
  await tx.rows(sql`UPDATE backup_schedule SET last_run_at = ${ranAt}::timestamptz, next_run_at = ${next}::timestamptz WHERE id = ${id}::uuid`);
}
