import type { Db, DbTx } from '../db/prisma.js';
import { sql, type SqlClient } from '../db/sql.js';
import type { Payload } from '../queues/definitions.js';

// Backup parts in flight (table backup_part, keyed by job, delivery attempt and part index) and
// the outbox row of an on-demand backup request.

export interface PartRow {
  part: number;
  content: Buffer;
}

/**
 * Stores (or replaces: a retried upload) one part, unless the attempt's parts would then add up
 * to more than `maxBytes`. False when refused for size. (One conditional statement: src/db/sql.ts.)
 */
export async function savePart(
  db: SqlClient,
  p: { jobId: string; attempt: number; part: number; content: Buffer },
  maxBytes: number,
  now: Date,
): Promise<boolean> {
  const rows = await db.rows<{ part: number }>(sql`
    INSERT INTO backup_part (job_id, attempt, part, content, created_at)
    SELECT ${p.jobId}::uuid, ${p.attempt}, ${p.part}, ${p.content}, ${now}::timestamptz
    WHERE (SELECT COALESCE(SUM(octet_length(content)), 0) FROM backup_part
           WHERE job_id = ${p.jobId}::uuid AND attempt = ${p.attempt} AND part <> ${p.part}) + ${p.content.length} <= ${maxBytes}
    ON CONFLICT (job_id, attempt, part) DO UPDATE SET content = EXCLUDED.content, created_at = EXCLUDED.created_at
    RETURNING part`);
  return rows.length > 0;
}

/** The parts of one delivery attempt, in index order. */
export async function listParts(db: Db, jobId: string, attempt: number): Promise<PartRow[]> {
  const rows = await db.backupPart.findMany({ where: { jobId, attempt }, select: { part: true, content: true }, orderBy: { part: 'asc' } });
  return rows.map((r) => ({ part: r.part, content: Buffer.from(r.content) }));
}

/** Removes every part of the job (all attempts). */
export async function deleteParts(db: Db, jobId: string): Promise<number> {
  return (await db.backupPart.deleteMany({ where: { jobId } })).count;
}

/** Removes parts uploaded before `before` (abandoned uploads); returns how many. */
export async function deleteStaleParts(db: Db, before: Date): Promise<number> {
  return (await db.backupPart.deleteMany({ where: { createdAt: { lt: before } } })).count;
}

/**
 * Queues an on-demand backup request for the `backup` queue through the transactional outbox
 * (job key = BullMQ job id, so a repeated request is one queue job).
 */
/** Queues the request through the outbox; false if it was queued before (same key). */
export async function insertRequest(db: DbTx, jobKey: string, payload: Payload<'backup'>): Promise<boolean> {
  const { count } = await db.outbox.createMany({ data: [{ queue: 'backup', jobKey, payload }], skipDuplicates: true });
  return count > 0;
}
