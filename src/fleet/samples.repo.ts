import type { Db } from '../db/prisma.js';
import { raw, sql, type SqlClient, type Statement } from '../db/sql.js';
import type { Inventory } from '../routeros/inventory.js';
import { sqlArray as a } from '../db/sql-array.js';

// Heartbeat samples in PostgreSQL: many rows per statement (unnest of column arrays, each passed
// as one array literal), written by the sample drain over hand-written SQL (src/db/sql.ts: the
// drain is a hot path); read back through Prisma as raw points or hourly aggregates.

export interface SampleRow {
  siteId: string;
  at: Date;
  cpuLoad: number | null;
  memoryFree: number | null;
  diskFree: number | null;
  uptime: number | null;
  rebooted: boolean;
}

export interface InsertReport {
  inserted: number;
  reboots: number;
  /** Sites whose open outage this batch ended (a heartbeat at or after the outage began). */
  recovered: number;
  /** Site ids the batch named that PostgreSQL does not have (purged). */
  unknown: string[];
  /** Sites a `site_rebooted` fault was recorded for, and sites whose outage ended (for the log). */
  rebootedSites: string[];
  recoveredSites: string[];
}

/**
 * Inserts the samples of sites that still exist; records a resolved `site_rebooted` fault for
 * each sample whose uptime went backwards; ends the open outage of each site heard from since it
 * began, at its first such heartbeat. One statement. Idempotent: a batch written twice (a crash
 * before its acknowledgement) changes nothing the second time.
 */
export async function insertBatch(db: SqlClient, rows: SampleRow[]): Promise<InsertReport> {
  const r = await db.one<InsertReport>(sql`
    WITH b AS (
      SELECT * FROM unnest(${a(rows.map((x) => x.siteId))}::uuid[], ${a(rows.map((x) => x.at))}::timestamptz[],
        ${a(rows.map((x) => x.cpuLoad))}::int[], ${a(rows.map((x) => x.memoryFree))}::bigint[],
        ${a(rows.map((x) => x.diskFree))}::bigint[], ${a(rows.map((x) => x.uptime))}::int[], ${a(rows.map((x) => x.rebooted))}::boolean[])
        AS b(site_id, at, cpu_load, memory_free, disk_free, uptime, rebooted)
    ), live AS (
      SELECT b.*, s.offline_since FROM b JOIN site s ON s.id = b.site_id
    ), ins AS (
      INSERT INTO site_sample (site_id, at, cpu_load, memory_free, disk_free, uptime)
      SELECT site_id, at, cpu_load, memory_free, disk_free, uptime FROM live
      ON CONFLICT (site_id, at) DO NOTHING RETURNING 1
    ), boots AS (
      INSERT INTO site_fault (id, site_id, type, created_at, resolved_at, detected_at, detail)
      SELECT gen_random_uuid(), site_id, 'site_rebooted', at, at, at, jsonb_build_object('uptime', uptime)
      FROM live WHERE rebooted
      ON CONFLICT (site_id, type, created_at) DO NOTHING RETURNING site_id
    ), back AS (
      UPDATE site s SET offline_since = NULL
      FROM (SELECT site_id, min(at) AS at FROM live WHERE offline_since IS NOT NULL AND at >= offline_since GROUP BY site_id) w
      WHERE s.id = w.site_id AND s.offline_since IS NOT NULL
      RETURNING s.id, w.at
    ), ended AS (
      UPDATE site_fault f SET resolved_at = back.at FROM back
      WHERE f.site_id = back.id AND f.type = 'site_offline' AND f.resolved_at IS NULL
    )
    SELECT (SELECT count(*) FROM ins)::int AS inserted, (SELECT count(*) FROM boots)::int AS reboots,
      (SELECT count(*) FROM back)::int AS recovered,
      ARRAY(SELECT DISTINCT b.site_id::text FROM b WHERE NOT EXISTS (SELECT 1 FROM live l WHERE l.site_id = b.site_id)) AS unknown,
      ARRAY(SELECT DISTINCT site_id::text FROM boots) AS "rebootedSites", ARRAY(SELECT id::text FROM back) AS "recoveredSites"`);
  return r ?? { inserted: 0, reboots: 0, recovered: 0, unknown: [], rebootedSites: [], recoveredSites: [] };
}

export interface Sighting {
  siteId: string;
  at: Date;
  from: string;
  inventory: Inventory;
}

const col = <K extends keyof Inventory>(rows: Sighting[], k: K): Inventory[K][] => rows.map((r) => r.inventory[k]);

/** A unique-constraint violation (SQLSTATE 23505). */
const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code === '23505';

/**
 * Writes each site's latest sighting: inventory columns the router reported differently, and
 * last_seen_at/from when they are older than `staleSeconds` or the address changed. Sites with
 * nothing new are not written. A serial number another site of the org holds is not taken over.
 */
export async function updateInventory(db: SqlClient, rows: Sighting[], staleSeconds: number, now: Date): Promise<number> {
  try {
    return await writeSightings(db, rows, staleSeconds, now, true);
  } catch (err) {
    // Two sites of one org reporting the same new serial in one batch: both keep their old ones.
    if (!isUniqueViolation(err)) throw err;
    return writeSightings(db, rows, staleSeconds, now, false);
  }
}

async function writeSightings(db: SqlClient, rows: Sighting[], staleSeconds: number, now: Date, withSerials: boolean): Promise<number> {
  const serials = withSerials ? col(rows, 'serialNumber') : rows.map(() => null);
  // d: per site, whether a reported value differs (a missing one never does), whether the serial
  // is free to take in the org, and whether last_seen is due for a refresh.
  const updated = await db.rows<{ id: string }>(sql`
    WITH v AS (
      SELECT * FROM unnest(${a(rows.map((r) => r.siteId))}::uuid[], ${a(rows.map((r) => r.at))}::timestamptz[],
        ${a(rows.map((r) => r.from))}::text[], ${a(col(rows, 'identity'))}::text[], ${a(col(rows, 'model'))}::text[],
        ${a(col(rows, 'boardName'))}::text[], ${a(serials)}::text[], ${a(col(rows, 'softwareVersion'))}::text[],
        ${a(col(rows, 'softwareId'))}::text[], ${a(col(rows, 'architectureName'))}::text[], ${a(col(rows, 'routerboard'))}::boolean[])
        AS v(id, at, src, identity, model, board_name, serial_number, software_version, software_id, architecture_name, routerboard)
    ), d AS (
      SELECT v.*, (v.serial_number IS NOT NULL AND v.serial_number IS DISTINCT FROM s.serial_number
          AND NOT EXISTS (SELECT 1 FROM site o WHERE o.org_id = s.org_id AND o.serial_number = v.serial_number)) AS take_serial,
        ROW(COALESCE(v.identity, s.identity), COALESCE(v.model, s.model), COALESCE(v.board_name, s.board_name),
            COALESCE(v.software_version, s.software_version), COALESCE(v.software_id, s.software_id),
            COALESCE(v.architecture_name, s.architecture_name), COALESCE(v.routerboard, s.routerboard))
          IS DISTINCT FROM ROW(s.identity, s.model, s.board_name, s.software_version, s.software_id, s.architecture_name, s.routerboard)
          AS changed,
        (s.last_seen_at IS NULL OR s.last_seen_at < v.at - make_interval(secs => ${staleSeconds})
          OR (v.at >= s.last_seen_at AND v.src IS DISTINCT FROM s.last_seen_from)) AS seen
      FROM v JOIN site s ON s.id = v.id
    )
    UPDATE site s SET identity = COALESCE(d.identity, s.identity), model = COALESCE(d.model, s.model),
      board_name = COALESCE(d.board_name, s.board_name),
      serial_number = CASE WHEN d.take_serial THEN d.serial_number ELSE s.serial_number END,
      software_version = COALESCE(d.software_version, s.software_version), software_id = COALESCE(d.software_id, s.software_id),
      architecture_name = COALESCE(d.architecture_name, s.architecture_name), routerboard = COALESCE(d.routerboard, s.routerboard),
      last_seen_at = CASE WHEN d.seen THEN GREATEST(s.last_seen_at, d.at) ELSE s.last_seen_at END,
      last_seen_from = CASE WHEN d.seen AND (s.last_seen_at IS NULL OR d.at >= s.last_seen_at) THEN d.src ELSE s.last_seen_from END,
      updated_at = CASE WHEN d.changed OR d.take_serial THEN ${now}::timestamptz ELSE s.updated_at END
    FROM d WHERE s.id = d.id AND (d.changed OR d.take_serial OR d.seen)
    RETURNING s.id`);
  return updated.length;
}

export interface StatPoint {
  at: Date;
  cpuLoad: number | null;
  memoryFree: bigint | null;
  diskFree: bigint | null;
  uptime: number | bigint | null;
}

/** Raw samples of a site in [from, to), oldest first. */
export function rawStats(db: Db, siteId: string, from: Date, to: Date): Promise<StatPoint[]> {
  return db.siteSample.findMany({
    where: { siteId, at: { gte: from, lt: to } },
    select: { at: true, cpuLoad: true, memoryFree: true, diskFree: true, uptime: true },
    orderBy: { at: 'asc' },
  });
}

/**
 * Hourly aggregates of a site's samples in [from, to): averages and the highest uptime, from the
 * hourly rollups of pruned samples and the raw samples still kept (an hour partly in each adds up).
 */
export function hourlyStats(db: SqlClient, siteId: string, from: Date, to: Date): Promise<StatPoint[]> {
  return db.rows<StatPoint>(sql`
    SELECT hour AS at, round(sum(cs) / nullif(sum(cn), 0))::int AS "cpuLoad",
      round(sum(ms) / nullif(sum(mn), 0))::bigint AS "memoryFree", round(sum(ds) / nullif(sum(dn), 0))::bigint AS "diskFree",
      max(up) AS uptime
    FROM (
      SELECT hour, cpu_load_sum AS cs, cpu_load_n AS cn, memory_free_sum AS ms, memory_free_n AS mn,
             disk_free_sum AS ds, disk_free_n AS dn, uptime_max AS up
      FROM site_sample_hourly
      WHERE site_id = ${siteId}::uuid AND hour >= date_trunc('hour', ${from}::timestamptz) AND hour < ${to}::timestamptz
      UNION ALL
      SELECT date_trunc('hour', at), sum(cpu_load), count(cpu_load), sum(memory_free), count(memory_free),
             sum(disk_free), count(disk_free), max(uptime)
      FROM site_sample WHERE site_id = ${siteId}::uuid AND at >= ${from}::timestamptz AND at < ${to}::timestamptz
      GROUP BY 1
    ) x
    GROUP BY hour ORDER BY hour`);
}

/**
 * CTEs `g` (the rows of `source` summed per site and hour) and `h` (g added to the hourly rollups:
 * sums and counts, so an hour rolled up in several passes adds up). `source` is a CTE or a
 * partition name, never input.
 */
export function rollupCtes(source: Statement): Statement {
  return sql`g AS (
      SELECT site_id, date_trunc('hour', at) AS hour, count(*) AS samples, COALESCE(sum(cpu_load), 0) AS cs, count(cpu_load) AS cn,
             COALESCE(sum(memory_free), 0) AS ms, count(memory_free) AS mn, COALESCE(sum(disk_free), 0) AS ds, count(disk_free) AS dn,
             max(uptime) AS up
      FROM ${source} GROUP BY 1, 2
    ), h AS (
      INSERT INTO site_sample_hourly AS t (site_id, hour, samples, cpu_load_sum, cpu_load_n, memory_free_sum,
                                           memory_free_n, disk_free_sum, disk_free_n, uptime_max)
      SELECT * FROM g
      ON CONFLICT (site_id, hour) DO UPDATE SET
        samples = t.samples + EXCLUDED.samples,
        cpu_load_sum = t.cpu_load_sum + EXCLUDED.cpu_load_sum, cpu_load_n = t.cpu_load_n + EXCLUDED.cpu_load_n,
        memory_free_sum = t.memory_free_sum + EXCLUDED.memory_free_sum, memory_free_n = t.memory_free_n + EXCLUDED.memory_free_n,
        disk_free_sum = t.disk_free_sum + EXCLUDED.disk_free_sum, disk_free_n = t.disk_free_n + EXCLUDED.disk_free_n,
        uptime_max = GREATEST(t.uptime_max, EXCLUDED.uptime_max)
    )`;
}

/**
 * Deletes up to `limit` raw samples older than `before` from the DEFAULT partition (days that had
 * no daily partition; the daily ones are dropped whole, src/fleet/sample-partitions.repo.ts) and,
 * in the same statement, adds them to their sites' hourly rollups (so no sample is lost between
 * the two); returns how many. The partition's own table is named because ctid is only unique
 * within one partition.
 */
export async function pruneSamples(db: SqlClient, before: Date, limit: number): Promise<number> {
  const [row] = await db.rows<{ n: number }>(sql`
    WITH d AS (
      DELETE FROM site_sample_default WHERE ctid IN (
        SELECT ctid FROM site_sample_default WHERE at < ${before}::timestamptz LIMIT ${limit})
      RETURNING site_id, at, cpu_load, memory_free, disk_free, uptime
    ), ${rollupCtes(raw('d'))}
    SELECT count(*)::int AS n FROM d`);
  return row?.n ?? 0;
}

/** Deletes up to `limit` hourly rollups of hours before `before`; returns how many. */
export async function pruneRollups(db: SqlClient, before: Date, limit: number): Promise<number> {
  const rows = await db.rows<{ hour: Date }>(sql`
    DELETE FROM site_sample_hourly WHERE ctid IN (
      SELECT ctid FROM site_sample_hourly WHERE hour < ${before}::timestamptz LIMIT ${limit})
    RETURNING hour`);
  return rows.length;
}
