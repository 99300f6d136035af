import type { Db, DbTx } from '../db/prisma.js';

export interface RunbookRow {
  id: string;
  orgId: string;
  name: string;
  token: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const columns = { id: true, orgId: true, name: true, token: true, createdAt: true, revokedAt: true } as const;

export function create(db: DbTx, data: { id: string; orgId: string; name: string; token: string }, now: Date): Promise<RunbookRow> {
  return db.runbook.create({ data: { ...data, createdAt: now }, select: columns });
}

export function listForOrg(db: Db, orgId: string): Promise<RunbookRow[]> {
  return db.runbook.findMany({ where: { orgId }, select: columns, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
}

export function findForOrg(db: Db, orgId: string, id: string): Promise<RunbookRow | null> {
  return db.runbook.findFirst({ where: { id, orgId }, select: columns });
}

/** Any org's runbook by its bootstrap token: only for the router-facing, token-authenticated paths. */
export function findByToken(db: Db, token: string): Promise<RunbookRow | null> {
  return db.runbook.findUnique({ where: { token }, select: columns });
}

/** Sets revoked_at once (a repeat keeps the first time); null if the org has no such runbook. */
export async function revoke(db: DbTx, orgId: string, id: string, now: Date): Promise<{ row: RunbookRow; changed: boolean } | null> {
  const { count } = await db.runbook.updateMany({ where: { id, orgId, revokedAt: null }, data: { revokedAt: now } });
  const row = await db.runbook.findFirst({ where: { id, orgId }, select: columns });
  return row ? { row, changed: count > 0 } : null;
}
