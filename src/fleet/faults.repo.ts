import type { Db } from '../db/prisma.js';
import { join, sql, type SqlClient } from '../db/sql.js';
import type { Keyset } from '../lib/cursor.js';

// Site faults: outages (`site_offline`, opened by the sweep, resolved by the next heartbeat) and
// reboots (`site_rebooted`, written resolved by the sample drain). A site's open outage is also
// marked on the site row (offline_since), which makes opening and resolving idempotent.

export const FAULT_TYPES = ['site_offline', 'site_rebooted', 'config_rolled_back'] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export interface FaultRow {
  id: string;
  siteId: string;
  type: FaultType;
  createdAt: Date;
  resolvedAt: Date | null;
  detectedAt: Date;
}

export interface Quiet {
  siteId: string;
  /** Last heartbeat. */
  seen: Date;
}

/**
 * Opens an outage for each quiet site that is not offline or deleted yet, starting one interval
 * after its last heartbeat (the first missed one). Returns the sites that went offline, and the
 * ids PostgreSQL does not know (purged sites).
 */
export async function openOutages(
  db: SqlClient,
  quiet: Quiet[],
  intervalSeconds: number,
  now: Date,
): Promise<{ offline: Quiet[]; unknown: string[] }> {
  const rows = await db.rows<{ siteId: string; seen: Date | null; known: boolean }>(sql`
    WITH q AS (
      SELECT * FROM unnest(${quiet.map((x) => x.siteId)}::uuid[], ${quiet.map((x) => x.seen)}::timestamptz[]) AS q(id, seen)
    ), off AS (
      UPDATE site s SET offline_since = q.seen + make_interval(secs => ${intervalSeconds}),
        last_seen_at = GREATEST(s.last_seen_at, q.seen)
      FROM q WHERE s.id = q.id AND s.offline_since IS NULL AND s.deleted_at IS NULL
      RETURNING s.id, q.seen, s.offline_since
    ), f AS (
      INSERT INTO site_fault (id, site_id, type, created_at, detected_at)
      SELECT gen_random_uuid(), id, 'site_offline', offline_since, ${now}::timestamptz FROM off
      ON CONFLICT (site_id, type, created_at) DO NOTHING
    )
    SELECT q.id::text AS "siteId", off.seen, EXISTS (SELECT 1 FROM site s WHERE s.id = q.id) AS known
    FROM q LEFT JOIN off ON off.id = q.id`);
  return {
    offline: rows.filter((r) => r.seen !== null).map((r) => ({ siteId: r.siteId, seen: r.seen! })),
    unknown: rows.filter((r) => !r.known).map((r) => r.siteId),
  };
}

/**
 * Ends the open outage of each site that was heard from at or after the outage began, at its
 * first such heartbeat. Returns the sites that came back.
 */
export async function resolveOutages(db: SqlClient, heard: { siteId: string; at: Date }[]): Promise<string[]> {
  if (heard.length === 0) return [];
  const rows = await db.rows<{ siteId: string }>(sql`
    WITH v AS (
      SELECT * FROM unnest(${heard.map((h) => h.siteId)}::uuid[], ${heard.map((h) => h.at)}::timestamptz[]) AS v(id, at)
    ), w AS (
      SELECT v.id, min(v.at) AS at FROM v JOIN site s ON s.id = v.id
      WHERE s.offline_since IS NOT NULL AND v.at >= s.offline_since GROUP BY v.id
    ), back AS (
      UPDATE site s SET offline_since = NULL FROM w WHERE s.id = w.id AND s.offline_since IS NOT NULL
      RETURNING s.id, w.at
    ), f AS (
      UPDATE site_fault f SET resolved_at = back.at FROM back
      WHERE f.site_id = back.id AND f.type = 'site_offline' AND f.resolved_at IS NULL
    )
    SELECT id::text AS "siteId" FROM back`);
  return rows.map((r) => r.siteId);
}

const FAULT = { id: true, siteId: true, type: true, createdAt: true, resolvedAt: true, detectedAt: true } as const;

/** A page of a site's faults, newest first (ties by id), after `after`; optionally only open or only resolved ones. */
export function listBySite(
  db: Db,
  siteId: string,
  page: { limit: number; after: Keyset | null },
  status: 'resolved' | 'unresolved' | null,
): Promise<FaultRow[]> {
  const resolvedAt = status === null ? undefined : status === 'resolved' ? { not: null } : null;
  const a = page.after;
  const from = a === null ? {} : { OR: [{ createdAt: { lt: a.at } }, { createdAt: a.at, id: { lt: a.key } }] };
  return db.siteFault.findMany({
    where: { siteId, resolvedAt, ...from },
    select: FAULT,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit,
  });
}

/**
 * A page of the org's faults across its sites, newest first (ties by id), after `after`, with each
 * fault's site name; optionally by status, type and site.
 */
export function listByOrg(
  db: SqlClient,
  org: string,
  f: { status: 'resolved' | 'unresolved' | null; type: FaultType | null; siteId: string | null },
  page: { limit: number; after: Keyset | null },
): Promise<(FaultRow & { siteName: string })[]> {
  const where = [sql`s.org_id = ${org}`];
  if (f.status !== null) where.push(f.status === 'resolved' ? sql`f.resolved_at IS NOT NULL` : sql`f.resolved_at IS NULL`);
  if (f.type !== null) where.push(sql`f.type = ${f.type}::"SiteFaultType"`);
  if (f.siteId !== null) where.push(sql`f.site_id = ${f.siteId}::uuid`);
  if (page.after !== null) where.push(sql`(f.created_at, f.id) < (${page.after.at}::timestamptz, ${page.after.key}::uuid)`);
  return db.rows(sql`
    SELECT f.id, f.site_id AS "siteId", f.type::text AS type, f.created_at AS "createdAt", f.resolved_at AS "resolvedAt",
           f.detected_at AS "detectedAt", s.name AS "siteName"
    FROM site_fault f JOIN site s ON s.id = f.site_id
    WHERE ${join(where, ' AND ')}
    ORDER BY f.created_at DESC, f.id DESC LIMIT ${page.limit}`);
}

/** The site's outages that overlap [from, now]. */
export function outagesSince(db: Db, siteId: string, from: Date): Promise<FaultRow[]> {
  return db.siteFault.findMany({
    where: { siteId, type: 'site_offline', OR: [{ resolvedAt: null }, { resolvedAt: { gt: from } }] },
    select: FAULT,
    orderBy: { createdAt: 'asc' },
  });
}

/** Deletes up to `limit` faults resolved before `before`; returns how many. */
export async function pruneFaults(db: SqlClient, before: Date, limit: number): Promise<number> {
  const rows = await db.rows<{ id: string }>(sql`
    DELETE FROM site_fault WHERE id IN (
      SELECT id FROM site_fault WHERE resolved_at < ${before}::timestamptz LIMIT ${limit})
    RETURNING id`);
  return rows.length;
}

/** A page (by id) of sites PostgreSQL believes online, with their last heartbeat. */
export async function onlineAfter(db: Db, after: string | null, limit: number): Promise<Quiet[]> {
  const rows = await db.site.findMany({
    where: { lastSeenAt: { not: null }, offlineSince: null, deletedAt: null, ...(after === null ? {} : { id: { gt: after } }) },
    select: { id: true, lastSeenAt: true },
    orderBy: { id: 'asc' },
    take: limit,
  });
  return rows.map((r) => ({ siteId: r.id, seen: r.lastSeenAt! }));
}
