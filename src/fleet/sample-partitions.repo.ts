import { LOCKS } from '../db/lock.js';
import { raw, sql, type SqlClient } from '../db/sql.js';
import { rollupCtes } from './samples.repo.js';

// site_sample is partitioned by UTC day (prisma/migrations/…_site_sample_partitions): one table
// site_sample_pYYYYMMDD per day, plus site_sample_default for samples of a day that has none.
// Retention drops whole days, after adding them to the hourly rollups in the same transaction.
// Every step is its own short transaction that first takes LOCKS.samplePartitions (waiting, so two
// workers take turns and the second finds the work done) and a lock_timeout, so DDL never queues
// for long behind a slow query while the sample drain queues behind it; a step that times out
// throws and the next prune tick retries it (so does a deadlock PostgreSQL breaks between this DDL
// and a sample drain, whose batch is then redelivered). Identifiers are built from dates only.

const DAY = 86_400_000;
const NAME = /^site_sample_p(\d{4})(\d{2})(\d{2})$/;
const LOCK_TIMEOUT = '5s';

/** Midnight UTC (ms) of the day holding `t`. */
export const utcDay = (t: number): number => Math.floor(t / DAY) * DAY;

/** site_sample_pYYYYMMDD of the UTC day starting at `day`. */
export function partitionName(day: number): string {
  return `site_sample_p${new Date(utcDay(day)).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** The day (midnight UTC, ms) a daily partition's name stands for; null for any other name. */
export function dayOfPartition(name: string): number | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return partitionName(day) === name ? day : null;
}

/** 'YYYY-MM-DD 00:00:00+00', quoted: a partition bound built from a date only. */
const bound = (day: number): string => `'${new Date(day).toISOString().slice(0, 10)} 00:00:00+00'`;

function locked<T>(db: SqlClient, fn: (tx: SqlClient) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.rows(sql`SELECT set_config('lock_timeout', ${LOCK_TIMEOUT}, true)`);
    await tx.rows(sql`SELECT pg_advisory_xact_lock(${LOCKS.samplePartitions})`);
    return fn(tx);
  });
}

// A scan of pg_class under this statement's snapshot: to_regclass() may answer from the backend's
// catalog cache, which does not yet know about a table another worker created or dropped while we
// waited for the advisory lock (seen: "relation … does not exist" right after it said it did).
const exists = async (tx: SqlClient, name: string): Promise<boolean> =>
  (await tx.one<{ found: boolean }>(sql`
    SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = ${name} AND relnamespace = current_schema()::regnamespace) AS found`))
    ?.found ?? false;

/**
 * Creates the partition of the UTC day starting at `day` unless it exists; samples of that day
 * already in the DEFAULT partition are moved into it first, in the same transaction (PostgreSQL
 * refuses to attach a range the DEFAULT partition holds rows of). Returns null if it existed, else
 * how many samples were moved.
 */
export function createPartition(db: SqlClient, day: number): Promise<number | null> {
  const name = partitionName(day);
  const from = utcDay(day);
  return locked(db, async (tx) => {
    if (await exists(tx, name)) return null;
    const table = raw(`"${name}"`);
    // Attaching clones the foreign key, which locks `site`; the sample drain locks `site` before
    // the partition it writes to, so taking `site` first (then DEFAULT, so no sample of that day
    // arrives between the move and the attach) keeps the two from deadlocking.
    await tx.rows(sql`LOCK TABLE site IN SHARE ROW EXCLUSIVE MODE`);
    await tx.rows(sql`LOCK TABLE site_sample_default IN SHARE ROW EXCLUSIVE MODE`);
    await tx.rows(sql`CREATE TABLE ${table} (LIKE site_sample)`);
    const moved = await tx.one<{ n: number }>(sql`
      WITH m AS (
        DELETE FROM site_sample_default WHERE at >= ${new Date(from)}::timestamptz AND at < ${new Date(from + DAY)}::timestamptz
        RETURNING site_id, at, cpu_load, memory_free, disk_free, uptime
      ), i AS (
        INSERT INTO ${table} (site_id, at, cpu_load, memory_free, disk_free, uptime) SELECT * FROM m RETURNING 1
      )
      SELECT count(*)::int AS n FROM i`);
    // Attaching adds the primary key, the BRIN index and the foreign key of the parent.
    await tx.rows(sql`ALTER TABLE site_sample ATTACH PARTITION ${table} FOR VALUES FROM (${raw(bound(from))}) TO (${raw(bound(from + DAY))})`);
    return moved?.n ?? 0;
  });
}

/** The days (midnight UTC, ms) of site_sample's daily partitions, oldest first. */
export async function listPartitionDays(db: SqlClient): Promise<number[]> {
  const rows = await db.rows<{ name: string }>(sql`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'site_sample'::regclass`);
  return rows
    .map((r) => dayOfPartition(r.name))
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b);
}

/**
 * Adds the samples of the daily partition of `day` to the hourly rollups and drops it, in one
 * transaction (a crash leaves both or neither). Returns how many samples were rolled up, or null
 * if the partition no longer exists (another worker did it).
 */
export function rollUpAndDropPartition(db: SqlClient, day: number): Promise<number | null> {
  const name = partitionName(day);
  return locked(db, async (tx) => {
    if (!(await exists(tx, name))) return null;
    const table = raw(`"${name}"`);
    // A late sample for that day waits (and lands in DEFAULT once the partition is gone) instead of
    // being written between the rollup and the drop; readers are not blocked until the drop.
    await tx.rows(sql`LOCK TABLE ${table} IN SHARE MODE`);
    const row = await tx.one<{ n: number }>(sql`WITH ${rollupCtes(table)} SELECT COALESCE(sum(samples), 0)::int AS n FROM g`);
    await tx.rows(sql`DROP TABLE ${table}`);
    return row?.n ?? 0;
  });
}
