import type { TestProject } from 'vitest/node';
import { ensureDatabase, migrate } from '../../src/db/migrate.js';
import { adminQuery, isStale, serverUrl, TEST_DB_PREFIX, testDbName } from './db.js';

let template = '';

async function dropWhere(pick: (name: string) => boolean): Promise<void> {
  const rows = await adminQuery<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE '${TEST_DB_PREFIX}%'`,
  );
  for (const { datname } of rows.filter((r) => pick(r.datname))) {
    await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

/** Migrates a template database once per run; every test file clones it. */
export async function setup(project: TestProject): Promise<void> {
  await dropWhere((name) => isStale(name));
  template = testDbName('template');
  await ensureDatabase(serverUrl(template));
  await migrate(serverUrl(template));
  project.provide('templateDb', template);
}

export async function teardown(): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
}
