import type { Db, DbTx } from '../db/prisma.js';

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

export function create(db: DbTx, data: { id: string; orgId: string; name: string }): Promise<SiteRow> {
  return db.site.create({ data, select: columns });
}

/** Any org's site: only for device-authenticated paths, where the token already names the site. */
export function findById(db: Db, id: string): Promise<SiteRow | null> {
  return db.site.findUnique({ where: { id }, select: columns });
}

export function findForOrg(db: Db, orgId: string, id: string): Promise<SiteRow | null> {
  return db.site.findFirst({ where: { id, orgId }, select: columns });
}

export function listForOrg(db: Db, orgId: string): Promise<SiteRow[]> {
  return db.site.findMany({ where: { orgId }, select: columns, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
}

/** Revokes every device token of the site; null if the org has no such site. */
export async function bumpTokenVersion(db: DbTx, orgId: string, id: string): Promise<SiteRow | null> {
  const res = await db.site.updateManyAndReturn({
    where: { id, orgId },
    data: { tokenVersion: { increment: 1 } },
    select: columns,
  });
  return res[0] ?? null;
}
