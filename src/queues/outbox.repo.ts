import type { Db } from '../db/prisma.js';

export interface OutboxRow {
  id: bigint;
  queue: string;
  jobKey: string;
  payload: unknown;
}

/**
 * Locks up to `limit` outbox rows of the given queues (skipping rows another relay holds), hands
 * them to `publish`, and deletes them only if it succeeds — all in one transaction.
 */
export async function drain(
  db: Db,
  queues: string[],
  limit: number,
  publish: (rows: OutboxRow[]) => Promise<void>,
): Promise<number> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<OutboxRow[]>`
      SELECT id, queue, job_key AS "jobKey", payload FROM outbox
      WHERE queue = ANY(${queues}::text[]) ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
    if (rows.length === 0) return 0;
    await publish(rows);
    await tx.$executeRaw`DELETE FROM outbox WHERE id = ANY(${rows.map((r) => r.id)}::bigint[])`;
    return rows.length;
  });
}
