import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../src/db/migrate.js';
import type pgTypes from 'pg';
import { createPrisma, type Db } from '../../src/db/prisma.js';
import { createPool } from '../../src/db/sql.js';
import { adminQuery, serverUrl, testDbName } from '../support/db.js';

// Migrates an empty database with the hand-written SQL and drives every model through the
// generated client, so schema.prisma and the migrations cannot drift apart unnoticed.

const name = testDbName('schema');
const url = serverUrl(name);
let db: Db;
let pool: pgTypes.Pool;

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE "${name}"`);
  await migrate(url);
  pool = createPool({ databaseUrl: url, databasePoolSize: 2 });
  db = createPrisma(pool);
});
afterAll(async () => {
  await db.$disconnect();
  await pool.end();
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

describe('migrations', () => {
  it('records each migration as prisma migrate does, and a second run applies nothing', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name');
    await client.end();
    const files = readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((m) => m.name));
    for (const [i, m] of files.entries()) {
      expect(rows[i].checksum).toBe(createHash('sha256').update(m.sql).digest('hex'));
      expect(rows[i].finished_at).not.toBeNull();
    }
    expect(await migrate(url)).toEqual([]);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'x'.repeat(64) } : m));
    await expect(migrate(url, edited)).rejects.toThrow(/edited/);
  });

  it('serves every model through the generated client', async () => {
    const site = await db.site.create({ data: { id: randomUUID(), orgId: 'o', name: 's' } });
    const job = await db.job.create({
      data: {
        id: randomUUID(),
        siteId: site.id,
        orgId: 'o',
        token: 'T'.repeat(22),
        idempotencyKey: randomUUID(),
        requestHash: 'h',
        description: 'desc',
        script: ':log info "x"',
        expressExecute: false,
        needsAck: true,
        shouldBackup: false,
        events: { create: { type: 'created', attempt: 0, detail: { by: 'test' } } },
      },
      include: { events: true },
    });
    expect(job.state).toBe('queued');
    expect(typeof job.seq).toBe('bigint');
    expect(job.events[0]!.detail).toEqual({ by: 'test' });
    const found = await db.site.findUnique({ where: { id: site.id }, include: { jobs: { include: { events: true } } } });
    expect(found?.jobs[0]?.events).toHaveLength(1);
    await db.site.delete({ where: { id: site.id } });
    expect(await db.jobEvent.count()).toBe(0);
  });
});
