import type { DbTx } from '../db/prisma.js';
import type { Prisma } from '../generated/prisma/client.js';
import { empty, raw, sql, type SqlClient, type Statement } from '../db/sql.js';

// The audit log's rows. Every writer inserts in the transaction (or the statement) of the change
// it records, so a change that fails or rolls back leaves no audit row, and no change goes unrecorded.

export interface AuditEntry {
  orgId: string;
  actor: string;
  action: string;
  target: string;
  requestId: string;
  source: string | null;
  summary: Record<string, unknown>;
}

export interface AuditRow extends AuditEntry {
  id: bigint;
  at: Date;
}

/** Inserts one audit row through hand-written SQL (inside `sql.transaction`). */
export async function insert(db: SqlClient, e: AuditEntry): Promise<void> {
  await db.rows(sql`
    INSERT INTO audit_event (org_id, actor, action, target, request_id, source, summary)
    VALUES (${e.orgId}, ${e.actor}, ${e.action}, ${e.target}, ${e.requestId}, ${e.source}, ${JSON.stringify(e.summary)}::jsonb)`);
}

/** Inserts one audit row through Prisma (inside `db.$transaction`). */
export async function insertWithPrisma(tx: DbTx, e: AuditEntry): Promise<void> {
  await tx.auditEvent.create({ data: { ...e, summary: e.summary as Prisma.InputJsonObject } });
}

/**
 * A data-modifying CTE body that records `e` once per row of the CTE named `from` (none when
 * the change matched nothing), the target being `targetPrefix` + that row's `id`: for changes
 * made by one statement, such as the job insert and the cancel compare-and-set.
 */
export function insertFrom(from: string, e: Omit<AuditEntry, 'target'> & { targetPrefix: string }): Statement {
  return sql`
    INSERT INTO audit_event (org_id, actor, action, target, request_id, source, summary)
    SELECT ${e.orgId}::text, ${e.actor}::text, ${e.action}::text, ${e.targetPrefix}::text || id::text, ${e.requestId}::text,
           ${e.source}::text, ${JSON.stringify(e.summary)}::jsonb
    FROM ${raw(from)}`;
}

const COLS = raw(`id, org_id AS "orgId", actor, action, target, request_id AS "requestId", source, summary, at`);

/** The org's events newest first, below `beforeId`, optionally of one action and/or target. */
export function list(
  db: SqlClient,
  orgId: string,
  q: { limit: number; beforeId: bigint | null; action: string | null; target: string | null },
): Promise<AuditRow[]> {
  const before = q.beforeId === null ? empty : sql`AND id < ${q.beforeId}`;
  const action = q.action === null ? empty : sql`AND action = ${q.action}`;
  const target = q.target === null ? empty : sql`AND target = ${q.target}`;
  return db.rows<AuditRow>(sql`
    SELECT ${COLS} FROM audit_event WHERE org_id = ${orgId} ${before} ${action} ${target} ORDER BY id DESC LIMIT ${q.limit}`);
}
