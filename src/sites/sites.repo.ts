import type { Db } from '../db/prisma.js';
import { raw, sql, type SqlClient } from '../db/sql.js';

export interface SiteRow {
  id: string;
  orgId: string;
  name: string;
  tokenVersion: number;
  createdAt: Date;
  updatedAt: Date;
  runbookId: string | null;
  identity: string | null;
  model: string | null;
  boardName: string | null;
  serialNumber: string | null;
  softwareVersion: string | null;
  softwareId: string | null;
  architectureName: string | null;
  routerboard: boolean | null;
  lastSeenAt: Date | null;
  lastSeenFrom: string | null;
  offlineSince: Date | null;
  deletedAt: Date | null;
  purgeAt: Date | null;
}

export const columns = {
  id: true,
  orgId: true,
  name: true,
  tokenVersion: true,
  createdAt: true,
  updatedAt: true,
  runbookId: true,
  identity: true,
  model: true,
  boardName: true,
  serialNumber: true,
  softwareVersion: true,
  softwareId: true,
  architectureName: true,
  routerboard: true,
  lastSeenAt: true,
  lastSeenFrom: true,
  offlineSince: true,
  deletedAt: true,
  purgeAt: true,
} as const;

export function create(db: Db, data: { id: string; orgId: string; name: string }): Promise<SiteRow> {
  return db.site.create({ data, select: columns });
}

// The two lookups every job request and every cold poll makes, in plain SQL (src/db/sql.ts).
const SITE_COLS = raw(`id, org_id AS "orgId", name, token_version AS "tokenVersion", created_at AS "createdAt",
  updated_at AS "updatedAt", runbook_id AS "runbookId", identity, model, board_name AS "boardName",
  serial_number AS "serialNumber", software_version AS "softwareVersion", software_id AS "softwareId",
  architecture_name AS "architectureName", routerboard, last_seen_at AS "lastSeenAt",
  last_seen_from AS "lastSeenFrom", offline_since AS "offlineSince", deleted_at AS "deletedAt", purge_at AS "purgeAt"`);

/** Any org's site: only for device-authenticated paths, where the token already names the site. */
export function findById(db: SqlClient, id: string): Promise<SiteRow | null> {
  return db.one<SiteRow>(sql`SELECT ${SITE_COLS} FROM site WHERE id = ${id}::uuid`);
}

export function findForOrg(db: SqlClient, orgId: string, id: string): Promise<SiteRow | null> {
  return db.one<SiteRow>(sql`SELECT ${SITE_COLS} FROM site WHERE id = ${id}::uuid AND org_id = ${orgId}`);
}

export function listForOrg(db: Db, orgId: string): Promise<SiteRow[]> {
  return db.site.findMany({ where: { orgId }, select: columns, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
}

/** Revokes every device token of the site; null if the org has no such site. */
export async function bumpTokenVersion(db: Db, orgId: string, id: string): Promise<SiteRow | null> {
  const res = await db.site.updateManyAndReturn({
    where: { id, orgId },
    data: { tokenVersion: { increment: 1 } },
    select: columns,
  });
  return res[0] ?? null;
}
