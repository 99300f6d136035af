import type { Db } from '../db/prisma.js';
import { sql, type SqlClient } from '../db/sql.js';
import type { FaultType } from './faults.repo.js';

// The aggregates of GET /fleet/summary, each one statement over an index: site presence as the
// offline sweep last saw it (the same rule as GET /site?status=), software versions, open faults
// by type, and the org's jobs of a time window by state.

/** How many of the org's sites there are, and how many are online (heard from, no open outage). */
export async function siteCounts(db: SqlClient, orgId: string): Promise<{ total: number; online: number }> {
  const [row] = await db.rows<{ total: number; online: number }>(sql`
    SELECT count(*)::int AS total,
           (count(*) FILTER (WHERE offline_since IS NULL AND last_seen_at IS NOT NULL))::int AS online
    FROM site WHERE org_id = ${orgId}`);
  return row ?? { total: 0, online: 0 };
}

/** The org's sites per software_version (null: not reported yet). */
export async function versionCounts(db: Db, orgId: string): Promise<{ version: string | null; sites: number }[]> {
  const rows = await db.site.groupBy({ by: ['softwareVersion'], where: { orgId }, _count: { _all: true } });
  return rows.map((r) => ({ version: r.softwareVersion, sites: r._count._all }));
}

/** The org's unresolved faults per type. */
export async function openFaultCounts(db: Db, orgId: string): Promise<{ type: FaultType; count: number }[]> {
  const rows = await db.siteFault.groupBy({ by: ['type'], where: { resolvedAt: null, site: { orgId } }, _count: { _all: true } });
  return rows.map((r) => ({ type: r.type, count: r._count._all }));
}

/** The org's jobs created at or after `since`, per state. */
export async function jobStateCounts(db: Db, orgId: string, since: Date): Promise<{ state: string; count: number }[]> {
  const rows = await db.job.groupBy({ by: ['state'], where: { orgId, createdAt: { gte: since } }, _count: { _all: true } });
  return rows.map((r) => ({ state: r.state, count: r._count._all }));
}
