import { randomBytes } from 'node:crypto';
import pg from 'pg';

// Each test file gets its own database, cloned from a template migrated once per run
// (test/support/global-setup.ts), so files run in parallel without seeing each other's rows.

export const TEMPLATE_DB = 'tikops_test_template';
export const TEST_DB_PREFIX = 'tikops_test_f_';

/** The PostgreSQL server the tests use (DATABASE_URL's server, default local). */
export function serverUrl(database: string): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tikops');
  url.pathname = `/${database}`;
  return url.toString();
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl('postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database cloned from the migrated template; returns its URL and a dropper. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${TEST_DB_PREFIX}${randomBytes(6).toString('hex')}`;
  // Concurrent clones of one template can collide on its lock; retry briefly.
  for (let i = 0; ; i++) {
    try {
      await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
      break;
    } catch (err) {
      if (i >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  return { url: serverUrl(name), drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
