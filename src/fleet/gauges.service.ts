import { sql } from '../db/sql.js';
import type { Deps } from '../runtime.js';

// Fleet-wide gauges for Prometheus (tikops_sites{state}, tikops_open_faults{type}). Counting every
// site on every scrape of every API pod would cost PostgreSQL a scan per pod per scrape, so one
// process computes them per interval (the maintenance task `fleet-gauges`, a BullMQ job scheduler:
// one tick across all workers) and leaves the result in Redis; /metrics only reads that snapshot.

export interface FleetGauges {
  /** When the snapshot was computed (ms). */
  at: number;
  sites: { online: number; offline: number; never_seen: number };
  openFaults: Record<string, number>;
}

/** How long a snapshot is served; an older one is dropped, so stale gauges disappear rather than lie. */
const SNAPSHOT_TTL_SECONDS = 300;

/** Counts every live site by presence and every open fault by type, and stores the snapshot. */
export async function refreshFleetGauges(deps: Deps): Promise<FleetGauges> {
  const [[sites], faults] = await Promise.all([
    deps.sql.rows<FleetGauges['sites']>(sql`
      SELECT (count(*) FILTER (WHERE offline_since IS NULL AND last_seen_at IS NOT NULL))::int AS online,
             (count(*) FILTER (WHERE offline_since IS NOT NULL))::int AS offline,
             (count(*) FILTER (WHERE last_seen_at IS NULL AND offline_since IS NULL))::int AS never_seen
      FROM site WHERE deleted_at IS NULL`),
    deps.sql.rows<{ type: string; n: number }>(sql`
      SELECT type::text AS type, count(*)::int AS n FROM site_fault WHERE resolved_at IS NULL GROUP BY type`),
  ]);
  const g: FleetGauges = {
    at: deps.clock(),
    sites: sites ?? { online: 0, offline: 0, never_seen: 0 },
    openFaults: Object.fromEntries(faults.map((f) => [f.type, f.n])),
  };
  await deps.fleet.setGauges(JSON.stringify(g), SNAPSHOT_TTL_SECONDS);
  return g;
}

/** The latest snapshot, or null when none is fresh (no worker has computed one lately). */
export async function readFleetGauges(deps: Pick<Deps, 'fleet'>): Promise<FleetGauges | null> {
  const raw = await deps.fleet.gauges();
  return raw === null ? null : (JSON.parse(raw) as FleetGauges);
}
