import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';

// Each test file gets its own database, cloned from a template migrated once per run
// (test/support/global-setup.ts), so files run in parallel without seeing each other's rows.
// Names carry their creation time, so a run only ever drops its own or long-abandoned databases
// and several runs (developers, CI) can share one server.

export const TEST_DB_PREFIX = 'tikops_t_';
const STALE_SECONDS = 3 * 3600;

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

/** A fresh, unique database name that records when it was made. */
export function testDbName(kind: string): string {
  return `${TEST_DB_PREFIX}${Math.floor(Date.now() / 1000)}_${kind}_${randomBytes(5).toString('hex')}`;
}

/** True for a test database made more than a few hours ago (left behind by a killed run). */
export function isStale(name: string, nowSeconds = Date.now() / 1000): boolean {
  const made = Number(/^tikops_t_(\d+)_/.exec(name)?.[1]);
  return Number.isFinite(made) && nowSeconds - made > STALE_SECONDS;
}

/** The PostgreSQL server the tests use (DATABASE_URL's server, default local). */
export function serverUrl(database: string): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tikops');
  url.pathname = `/${database}`;
  return url.toString();
}

export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: serverUrl('postgres') });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh database cloned from this run's migrated template; returns its URL and a dropper. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = inject('templateDb');
  const name = testDbName('f');
  // Concurrent clones of one template can collide on its lock; retry briefly.
  for (let i = 0; ; i++) {
    try {
      await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      break;
    } catch (err) {
      if (i >= 50 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
    }
  }
  return { url: serverUrl(name), drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined) };
}
