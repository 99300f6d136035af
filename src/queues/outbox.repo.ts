import type { Db } from '../db/prisma.js';
import { sql, type SqlClient } from '../db/sql.js';

export interface OutboxRow {
  id: bigint;
  queue: string;
  jobKey: string;
  payload: unknown;
}

/**
 * Locks up to `limit` rows of the given queues that were never relayed, or relayed before
 * `staleBefore` and still not finished (Redis may have lost them), skipping rows another relay
 * holds; hands them to `publish` and marks them relayed only if it succeeds — one transaction
 * (FOR UPDATE SKIP LOCKED: src/db/sql.ts).
 */
export async function relayBatch(
  db: SqlClient,
  queues: string[],
  staleBefore: Date,
  limit: number,
  publish: (rows: OutboxRow[]) => Promise<void>,
): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx.rows<OutboxRow>(sql`
      SELECT id, queue, job_key AS "jobKey", payload FROM outbox
      WHERE queue = ANY(${queues}::text[]) AND (relayed_at IS NULL OR relayed_at < ${staleBefore}::timestamptz)
      ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`);
    if (rows.length === 0) return 0;
    await publish(rows);
    await tx.rows(sql`UPDATE outbox SET relayed_at = now() WHERE id = ANY(${rows.map((r) => r.id)}::bigint[])`);
    return rows.length;
  });
}

/** Forgets the outbox row of a finished queue job (succeeded, or failed for good). */
export async function finish(db: Db, jobKey: string): Promise<void> {
  await db.outbox.deleteMany({ where: { jobKey } });
}
