import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../src/db/migrate.js';
import { createPool, createSqlClient, sql, type SqlClient } from '../../src/db/sql.js';
import { maintainPartitions, PARTITION_DAYS_AHEAD } from '../../src/fleet/prune.service.js';
import { listPartitionDays, partitionName, rollUpAndDropPartition } from '../../src/fleet/sample-partitions.repo.js';
import { hourlyStats, insertBatch, pruneSamples } from '../../src/fleet/samples.repo.js';
import { adminQuery, createTestDatabase, serverUrl, testDbName } from '../support/db.js';

// site_sample partitioned by UTC day (prisma/migrations/20261202090000_site_sample_partitions):
// the migration over existing rows, and the prune job's partition maintenance, with explicit
// `now`s far from the real clock (the template database has partitions for the real days), and
// beside the real sample drain statement (insertBatch) writing at the same time.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIGRATION = '20261202090000_site_sample_partitions';

interface Conn {
  pool: pg.Pool;
  db: SqlClient;
}
const connect = (url: string): Conn => {
  const pool = createPool({ databaseUrl: url, databasePoolSize: 6 });
  return { pool, db: createSqlClient(pool) };
};

async function addSite(db: SqlClient): Promise<string> {
  const id = randomUUID();
  await db.rows(sql`INSERT INTO site (id, org_id, name) VALUES (${id}::uuid, 'org-p', ${`site-${id}`})`);
  return id;
}

/** One sample per `stepMs` in [from, from + count * stepMs), with figures that vary. */
async function addSamples(db: SqlClient, siteId: string, from: number, count: number, stepMs: number): Promise<void> {
  await db.rows(sql`
    INSERT INTO site_sample (site_id, at, cpu_load, memory_free, disk_free, uptime)
    SELECT ${siteId}::uuid, ${new Date(from)}::timestamptz + g * make_interval(secs => ${stepMs / 1000}),
      (g * 7) % 100, CASE WHEN g % 5 = 0 THEN NULL ELSE 1000 + g * 13 END, 50000 - g, g * 60
    FROM generate_series(0, ${count - 1}) g`);
}

const partitionOf = async (db: SqlClient, siteId: string, at: number): Promise<string | undefined> =>
  (await db.one<{ p: string }>(sql`SELECT tableoid::regclass::text AS p FROM site_sample WHERE site_id = ${siteId}::uuid AND at = ${new Date(at)}::timestamptz`))?.p;
const tableExists = async (db: SqlClient, name: string): Promise<boolean> =>
  (await db.one<{ e: boolean }>(sql`SELECT to_regclass(${name}) IS NOT NULL AS e`))!.e;
const count = async (db: SqlClient, table: 'site_sample' | 'site_sample_default'): Promise<number> =>
  (await db.one<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${table === 'site_sample' ? sql`site_sample` : sql`site_sample_default`}`))!.n;
const rolledUp = async (db: SqlClient): Promise<number> =>
  (await db.one<{ n: number }>(sql`SELECT COALESCE(sum(samples), 0)::int AS n FROM site_sample_hourly`))!.n;

describe('the migration to daily partitions', () => {
  it('keeps every row of a database with samples, and the stats read the same', async () => {
    const name = testDbName('parts');
    const url = serverUrl(name);
    await adminQuery(`CREATE DATABASE "${name}"`);
    const conn = connect(url);
    try {
      const all = readMigrations();
      await migrate(url, all.filter((m) => m.name < MIGRATION));
      const sites = [await addSite(conn.db), await addSite(conn.db)];
      const start = Date.now() - 4 * DAY;
      for (const s of sites) await addSamples(conn.db, s, start, 5 * 24 * 12, 5 * 60_000);
      const dump = sql`SELECT site_id, at, cpu_load, memory_free, disk_free, uptime FROM site_sample ORDER BY site_id, at`;
      const before = await conn.db.rows(dump);
      const stats = (s: string): Promise<unknown[]> => hourlyStats(conn.db, s, new Date(start - DAY), new Date(start + 6 * DAY));
      const statsBefore = await Promise.all(sites.map(stats));

      expect(await migrate(url, all)).toEqual(all.filter((m) => m.name >= MIGRATION).map((m) => m.name));
      expect(await conn.db.rows(dump)).toEqual(before);
      expect(await Promise.all(sites.map(stats))).toEqual(statsBefore);
      expect(before).toHaveLength(2 * 5 * 24 * 12);
      // Every day of data has its partition (nothing in DEFAULT), and so do the next days.
      expect(await count(conn.db, 'site_sample_default')).toBe(0);
      const days = await listPartitionDays(conn.db);
      const first = start - (start % DAY);
      const today = Date.now() - (Date.now() % DAY);
      for (let d = first; d <= today + 3 * DAY; d += DAY) expect(days).toContain(d);
      // The partitioned table keeps the foreign key's cascade.
      await conn.db.rows(sql`DELETE FROM site WHERE id = ${sites[0]!}::uuid`);
      expect(await count(conn.db, 'site_sample')).toBe(5 * 24 * 12);
    } finally {
      await conn.pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });
});

/** A database of its own for the describe block this is called in: made before its tests, dropped after. */
function ownDatabase(): () => Conn {
  let conn: Conn | undefined;
  let drop = async (): Promise<void> => {};
  beforeAll(async () => {
    const made = await createTestDatabase();
    drop = made.drop;
    conn = connect(made.url);
  });
  afterAll(async () => {
    await conn?.pool.end();
    await drop();
  });
  return () => conn!;
}

/** The sample drain's own statement writing `batches` batches (one sample per site, a minute apart from `day`); resolves to how many it wrote. */
async function drainSamples(db: SqlClient, sites: string[], day: number, batches: number): Promise<number> {
  let written = 0;
  for (let i = 0; i < batches; i++) {
    const rows = sites.map((siteId) => ({ siteId, at: new Date(day + i * 60_000), cpuLoad: i, memoryFree: null, diskFree: null, uptime: i, rebooted: false }));
    written += (await insertBatch(db, rows)).inserted;
  }
  return written;
}

describe('partition maintenance', () => {
  const conn = ownDatabase();
  const maintain = (now: number): ReturnType<typeof maintainPartitions> =>
    maintainPartitions({ sql: conn().db }, now, new Date(now - 48 * HOUR));

  it("creates today's and the next days' partitions, once", async () => {
    const now = Date.UTC(2031, 0, 10, 15, 30);
    const first = await maintain(now);
    expect(first.created).toBe(PARTITION_DAYS_AHEAD + 1);
    const days = await listPartitionDays(conn().db);
    for (let i = 0; i <= PARTITION_DAYS_AHEAD; i++) expect(days).toContain(Date.UTC(2031, 0, 10 + i));
    expect(days).not.toContain(Date.UTC(2031, 0, 10 + PARTITION_DAYS_AHEAD + 1));
    expect(await maintain(now)).toEqual({ created: 0, moved: 0, dropped: 0, rolledUp: 0 });
    expect(await maintain(now + DAY)).toMatchObject({ created: 1 });
  });

  it("keeps a sample of a day without a partition in DEFAULT and moves it when that day's partition is made", async () => {
    const site = await addSite(conn().db);
    const day = Date.UTC(2031, 2, 5);
    await addSamples(conn().db, site, day + 10 * HOUR, 3, HOUR);
    await addSamples(conn().db, site, day + DAY + HOUR, 1, HOUR); // the next day: moved too
    expect(await partitionOf(conn().db, site, day + 10 * HOUR)).toBe('site_sample_default');
    const report = await maintain(day + 9 * HOUR);
    expect(report).toMatchObject({ created: PARTITION_DAYS_AHEAD + 1, moved: 4 });
    expect(await partitionOf(conn().db, site, day + 11 * HOUR)).toBe(partitionName(day));
    expect(await partitionOf(conn().db, site, day + DAY + HOUR)).toBe(partitionName(day + DAY));
    expect(await count(conn().db, 'site_sample_default')).toBe(0);
    // New samples of that day go straight to its partition.
    await addSamples(conn().db, site, day + 20 * HOUR, 1, HOUR);
    expect(await partitionOf(conn().db, site, day + 20 * HOUR)).toBe(partitionName(day));
  });

  it('rolls up and drops a day once it ended before the cutoff, and the hourly stats stay the same', async () => {
    const site = await addSite(conn().db);
    const day = Date.UTC(2031, 5, 1);
    await maintain(day);
    await addSamples(conn().db, site, day, 24 * 12, 5 * 60_000);
    await addSamples(conn().db, site, day + DAY, 12, 5 * 60_000);
    // An hour of that day already partly rolled up (e.g. from DEFAULT) adds up with the rest.
    await conn().db.rows(sql`INSERT INTO site_sample_hourly VALUES (${site}::uuid, ${new Date(day + 3 * HOUR)}::timestamptz, 2, 150, 2, 4000, 2, 0, 0, 9)`);
    const range = [new Date(day), new Date(day + 2 * DAY)] as const;
    const before = await hourlyStats(conn().db, site, ...range);
    const hourlyBefore = await rolledUp(conn().db);

    // The cutoff one millisecond short of the day's end keeps it; at its end the day goes.
    expect((await maintainPartitions({ sql: conn().db }, day + DAY, new Date(day + DAY - 1))).dropped).toBe(0);
    const report = await maintainPartitions({ sql: conn().db }, day + 3 * DAY, new Date(day + DAY));
    expect(report).toMatchObject({ dropped: 1, rolledUp: 24 * 12 });
    expect(await tableExists(conn().db, partitionName(day))).toBe(false);
    expect(await tableExists(conn().db, partitionName(day + DAY))).toBe(true);
    expect(await rolledUp(conn().db)).toBe(hourlyBefore + 24 * 12);
    expect(await hourlyStats(conn().db, site, ...range)).toEqual(before);
    expect(before.find((p) => p.at.getTime() === day + 3 * HOUR)).toBeDefined();
  });

  it('loses nothing and counts nothing twice when the drop fails after the rollup', async () => {
    const site = await addSite(conn().db);
    const day = Date.UTC(2031, 7, 1);
    await maintain(day);
    await addSamples(conn().db, site, day, 10, HOUR);
    const hourlyBefore = await rolledUp(conn().db);
    const dying: SqlClient = {
      ...conn().db,
      transaction: (fn) =>
        conn().db.transaction((tx) => fn({ ...tx, rows: (s) => (/^DROP TABLE/.test(s.sql) ? Promise.reject(new Error('killed')) : tx.rows(s)) })),
    };
    await expect(rollUpAndDropPartition(dying, day)).rejects.toThrow('killed');
    expect(await rolledUp(conn().db)).toBe(hourlyBefore);
    expect(await partitionOf(conn().db, site, day)).toBe(partitionName(day));
    expect(await rollUpAndDropPartition(conn().db, day)).toBe(10);
    expect(await rolledUp(conn().db)).toBe(hourlyBefore + 10);
  });

  it('prunes old samples of the DEFAULT partition one by one and leaves the daily partitions alone', async () => {
    const site = await addSite(conn().db);
    const day = Date.UTC(2031, 9, 1);
    await maintain(day);
    await addSamples(conn().db, site, day, 24, HOUR); // in its daily partition
    await addSamples(conn().db, site, day - 20 * DAY, 5, HOUR); // no partition: DEFAULT
    const hourlyBefore = await rolledUp(conn().db);
    expect(await pruneSamples(conn().db, new Date(day + 12 * HOUR), 3)).toBe(3);
    expect(await pruneSamples(conn().db, new Date(day + 12 * HOUR), 3)).toBe(2);
    expect(await count(conn().db, 'site_sample_default')).toBe(0);
    expect(await partitionOf(conn().db, site, day)).toBe(partitionName(day));
    expect(await rolledUp(conn().db)).toBe(hourlyBefore + 5);
  });

  it('takes turns when two workers maintain the partitions at once', async () => {
    const site = await addSite(conn().db);
    const day = Date.UTC(2032, 0, 1);
    await maintain(day); // (drops the partitions of the tests before)
    await addSamples(conn().db, site, day, 24, HOUR);
    await addSamples(conn().db, site, day + 4 * DAY + 2 * HOUR, 2, HOUR); // DEFAULT until its day is made
    const hourlyBefore = await rolledUp(conn().db);
    const now = day + 3 * DAY;
    const [a, b] = await Promise.all([maintain(now), maintain(now)]);
    expect(a.created + b.created).toBe(PARTITION_DAYS_AHEAD + 1 - 1); // day + 3 existed already
    expect(a.moved + b.moved).toBe(2);
    expect(a.dropped + b.dropped).toBe(1);
    expect(a.rolledUp + b.rolledUp).toBe(24);
    expect(await rolledUp(conn().db)).toBe(hourlyBefore + 24);
    expect(await tableExists(conn().db, partitionName(day))).toBe(false);
    // Both runs again, with a sample to move: one moves it, the other finds the work done.
    await addSamples(conn().db, site, now + 9 * DAY, 1, HOUR);
    const [c, d] = await Promise.all([maintain(now + 8 * DAY), maintain(now + 8 * DAY)]);
    expect(c.moved + d.moved).toBe(1);
    expect(await partitionOf(conn().db, site, now + 9 * DAY)).toBe(partitionName(now + 9 * DAY));
  });
});

describe('partition maintenance beside the sample drain', () => {
  const conn = ownDatabase();

  it("loses no sample that arrives while its day's partition is being made", async () => {
    const sites = [await addSite(conn().db), await addSite(conn().db), await addSite(conn().db)];
    const day = Date.UTC(2033, 3, 3);
    const batches = 40;
    const drain = drainSamples(conn().db, sites, day, batches);
    const report = await maintainPartitions({ sql: conn().db }, day, new Date(day - 48 * HOUR));
    const written = await drain;
    expect(report.created).toBe(PARTITION_DAYS_AHEAD + 1);
    expect(written).toBe(batches * sites.length);
    expect(await count(conn().db, 'site_sample')).toBe(written);
    expect(await count(conn().db, 'site_sample_default')).toBe(0);
  });
});

describe('dropping a day beside the sample drain', () => {
  const conn = ownDatabase();

  it('rolls up and drops old days while samples of today keep arriving', async () => {
    const sites = [await addSite(conn().db), await addSite(conn().db), await addSite(conn().db)];
    const day = Date.UTC(2034, 3, 3);
    await maintainPartitions({ sql: conn().db }, day - 3 * DAY, new Date(day - 5 * DAY));
    for (const s of sites) await addSamples(conn().db, s, day - 3 * DAY, 3 * 24, HOUR);
    await maintainPartitions({ sql: conn().db }, day - 3 * DAY, new Date(day - 5 * DAY)); // today's partition too
    const batches = 40;
    const drain = drainSamples(conn().db, sites, day, batches);
    const report = await maintainPartitions({ sql: conn().db }, day, new Date(day));
    const written = await drain;
    expect(report).toMatchObject({ dropped: 3, rolledUp: 3 * 3 * 24 });
    expect(written).toBe(batches * sites.length);
    expect(await count(conn().db, 'site_sample')).toBe(written);
    expect(await rolledUp(conn().db)).toBe(3 * 3 * 24);
  });
});
