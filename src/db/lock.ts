import { sql, type SqlClient } from './sql.js';

/** Stable advisory-lock ids for singleton background work. */
export const LOCKS = {
  reconcile: 72_707_370,
  timeouts: 72_707_371,
  backupPrune: 72_707_372,
  offlineSweep: 72_707_380,
  fleetPrune: 72_707_381,
  /** Creating, filling and dropping site_sample's daily partitions (taken per DDL transaction, waiting). */
  samplePartitions: 72_707_382,
  /** With a second key per job (pg_advisory_xact_lock(int, int)): one backup part saved at a time. */
  backupUpload: 72_707_390,
} as const;

/**
 * Runs `fn` only if no other process holds the advisory lock `id` (a transaction-scoped lock on
 * one pooled connection, released however `fn` ends); returns null when another holder has it.
 */
export async function withAdvisoryLock<T>(db: SqlClient, id: number, fn: () => Promise<T>): Promise<T | null> {
  return db.transaction(async (tx) => {
    const row = await tx.one<{ locked: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${id}) AS locked`);
    return row?.locked ? fn() : null;
  });
}
