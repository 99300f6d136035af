import pg from 'pg';
import { ensureDatabase, migrate } from '../../src/db/migrate.js';
import { adminQuery, serverUrl, TEMPLATE_DB, TEST_DB_PREFIX } from './db.js';

async function dropLeftovers(): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl('postgres') });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE '${TEST_DB_PREFIX}%'`,
    );
    for (const r of rows) await client.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Migrates a template database once per run; every test file clones it. */
export async function setup(): Promise<void> {
  await dropLeftovers();
  await adminQuery(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
  await ensureDatabase(serverUrl(TEMPLATE_DB));
  await migrate(serverUrl(TEMPLATE_DB));
}

export async function teardown(): Promise<void> {
  await dropLeftovers();
}
