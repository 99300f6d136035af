import { Prisma } from '../generated/prisma/client.js';
import type { Db, DbTx } from '../db/prisma.js';
import { sql, type SqlClient } from '../db/sql.js';
import type { Inventory } from '../routeros/inventory.js';
import { columns, type SiteRow } from './sites.repo.js';

// The site lifecycle beyond create: adoption by a runbook (create, or find again by serial number
// and rotate), deletion (mark, then purge).

const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/** Only the facts the router did report: a missing one keeps the stored value. */
function reported(inv: Inventory): Partial<Inventory> {
  return Object.fromEntries(Object.entries(inv).filter(([, v]) => v !== null));
}

export function findBySerial(db: Db, orgId: string, serialNumber: string): Promise<SiteRow | null> {
  return db.site.findUnique({ where: { orgId_serialNumber: { orgId, serialNumber } }, select: columns });
}

/**
 * A router without a serial number (CHR, x86) by its software id. Not unique in the schema: two
 * concurrent first adoptions of one such router may create two sites (docs/onboarding.md).
 */
export function findBySoftwareId(db: Db, orgId: string, softwareId: string): Promise<SiteRow | null> {
  return db.site.findFirst({ where: { orgId, softwareId, serialNumber: null }, orderBy: { createdAt: 'asc' }, select: columns });
}

/** Creates an adopted site; null if the org already has a site with this serial number (a race). */
export async function createAdopted(
  db: Db,
  data: { id: string; orgId: string; name: string; runbookId: string; inventory: Inventory },
): Promise<SiteRow | null> {
  try {
    return await db.site.create({
      data: { id: data.id, orgId: data.orgId, name: data.name, runbookId: data.runbookId, ...reported(data.inventory) },
      select: columns,
    });
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

/**
 * Re-adoption: new token version (every earlier token stops working), fresh inventory, any
 * re-adoption request or approval consumed. A compare-and-set on the token version the caller
 * judged: null if another adoption or a rotation changed it first.
 */
export async function readopt(db: Db, id: string, tokenVersion: number, runbookId: string, inventory: Inventory): Promise<SiteRow | null> {
  const { count } = await db.site.updateMany({
    where: { id, tokenVersion, deletedAt: null },
    data: {
      runbookId,
      tokenVersion: { increment: 1 },
      readoptionRequestedAt: null,
      readoptionRequestedFrom: null,
      readoptionApprovedUntil: null,
      ...reported(inventory),
    },
  });
  return count > 0 ? db.site.findUnique({ where: { id }, select: columns }) : null;
}

/** Records a refused re-adoption (when, from where); an earlier approval that ran out is dropped. */
export async function requestReadoption(db: Db, id: string, now: Date, from: string | null): Promise<void> {
  await db.site.updateMany({
    where: { id, OR: [{ readoptionApprovedUntil: null }, { readoptionApprovedUntil: { lte: now } }] },
    data: { readoptionRequestedAt: now, readoptionRequestedFrom: from, readoptionApprovedUntil: null },
  });
}

/**
 * Approves the pending re-adoption of the org's site until `until`; `changed` false when nothing
 * is pending. Null if the org has no such (undeleted) site.
 */
export async function approveReadoption(db: DbTx, orgId: string, id: string, until: Date): Promise<{ site: SiteRow; changed: boolean } | null> {
  const { count } = await db.site.updateMany({
    where: { id, orgId, deletedAt: null, readoptionRequestedAt: { not: null } },
    data: { readoptionApprovedUntil: until },
  });
  const site = await db.site.findFirst({ where: { id, orgId, deletedAt: null }, select: columns });
  return site ? { site, changed: count > 0 } : null;
}

/** Marks the site deleted (a repeat keeps the first times); null if the org has no such site. */
/** Marks the org's site deleted once (a repeat changes nothing: `changed` false); null if there is no such site. */
export async function markDeleted(db: DbTx, orgId: string, id: string, now: Date, purgeAt: Date): Promise<{ site: SiteRow; changed: boolean } | null> {
  const { count } = await db.site.updateMany({ where: { id, orgId, deletedAt: null }, data: { deletedAt: now, purgeAt } });
  const site = await db.site.findFirst({ where: { id, orgId }, select: columns });
  return site ? { site, changed: count > 0 } : null;
}

/** Deletes sites and, by cascade, their jobs, samples, faults and backups; returns the ids deleted. */
export async function purge(db: SqlClient, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.rows<{ id: string }>(sql`DELETE FROM site WHERE id = ANY(${ids}::uuid[]) RETURNING id::text`);
  return rows.map((r) => r.id);
}

/** Deleted sites whose grace period is over. */
export async function duePurges(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db.site.findMany({
    where: { purgeAt: { lte: now } },
    select: { id: true },
    orderBy: { purgeAt: 'asc' },
    take: limit,
  });
  return rows.map((r) => r.id);
}
