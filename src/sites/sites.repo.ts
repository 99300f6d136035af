import type { Db, DbTx } from '../db/prisma.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Keyset } from '../lib/cursor.js';

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
  readoptionRequestedAt: Date | null;
  readoptionRequestedFrom: string | null;
  readoptionApprovedUntil: Date | null;
  tags: string[];
  /** Written only through `update` (string values); read as stored. */
  metadata: unknown;
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
  readoptionRequestedAt: true,
  readoptionRequestedFrom: true,
  readoptionApprovedUntil: true,
  tags: true,
  metadata: true,
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

/** GET /site's filters, each served by an index of schema.prisma. */
export interface SiteFilter {
  tag?: string | undefined;
  /** As the offline sweep last saw it: offline = an open outage, or never heard from. */
  status?: 'online' | 'offline' | undefined;
  /** Exact spellings of software_version to match. */
  versions?: string[] | undefined;
  model?: string | undefined;
  /** Case-insensitive prefix of the name or the identity. */
  q?: string | undefined;
  hasOpenFault?: boolean | undefined;
}

function filterWhere(f: SiteFilter): Prisma.SiteWhereInput[] {
  const where: Prisma.SiteWhereInput[] = [];
  if (f.tag !== undefined) where.push({ tags: { has: f.tag } });
  if (f.versions !== undefined) where.push({ softwareVersion: { in: f.versions } });
  if (f.model !== undefined) where.push({ model: f.model });
  if (f.status === 'online') where.push({ offlineSince: null, lastSeenAt: { not: null } });
  if (f.status === 'offline') where.push({ OR: [{ offlineSince: { not: null } }, { lastSeenAt: null }] });
  if (f.hasOpenFault !== undefined) {
    const open = { resolvedAt: null };
    where.push(f.hasOpenFault ? { faults: { some: open } } : { faults: { none: open } });
  }
  if (f.q !== undefined) {
    // Prisma sends startsWith as ILIKE '<q>%' without escaping, so `%`, `_` and `\` are escaped
    // here (PostgreSQL's default LIKE escape); the trigram indexes serve it.
    const prefix = { startsWith: f.q.replace(/[\\%_]/g, (c) => `\\${c}`), mode: 'insensitive' as const };
    where.push({ OR: [{ name: prefix }, { identity: prefix }] });
  }
  return where;
}

/**
 * A page of the org's sites matching `f`, newest first (ties by id, descending), strictly after
 * `after`; `limit` rows at most.
 */
export function listPage(db: Db, orgId: string, f: SiteFilter, limit: number, after: Keyset | null): Promise<SiteRow[]> {
  const where = filterWhere(f);
  if (after !== null) where.push({ OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.key } }] });
  return db.site.findMany({
    where: { orgId, AND: where },
    select: columns,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
  });
}

/** What a rollout targets: any site named, carrying one of the tags, or matching the filter. */
export interface SiteSelection {
  siteIds?: string[] | undefined;
  tags?: string[] | undefined;
  filter?: SiteFilter | undefined;
}

/**
 * Ids of the org's sites (not being deleted) that `sel` selects, each once, oldest first; the
 * filters are GET /site's, served by the same indexes.
 */
export async function selectIds(db: Db, orgId: string, sel: SiteSelection): Promise<string[]> {
  const any: Prisma.SiteWhereInput[] = [];
  if (sel.siteIds && sel.siteIds.length > 0) any.push({ id: { in: sel.siteIds } });
  if (sel.tags && sel.tags.length > 0) any.push({ tags: { hasSome: sel.tags } });
  if (sel.filter) any.push({ AND: filterWhere(sel.filter) });
  if (any.length === 0) return [];
  const rows = await db.site.findMany({
    where: { orgId, deletedAt: null, OR: any },
    select: { id: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map((r) => r.id);
}

/** Sets the given fields of the org's site; null if the org has no such site. */
export async function update(
  db: DbTx,
  orgId: string,
  id: string,
  data: { name?: string | undefined; tags?: string[] | undefined; metadata?: Record<string, string> | undefined },
): Promise<SiteRow | null> {
  const res = await db.site.updateManyAndReturn({ where: { id, orgId }, data, select: columns });
  return res[0] ?? null;
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
