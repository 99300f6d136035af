import { raw, sql, type SqlClient } from '../db/sql.js';

// API keys in PostgreSQL through hand-written SQL: the lookup runs on every key-authenticated
// request (one unique-index probe, a prepared statement), and creation and revocation write their
// audit row in the same transaction (src/audit).

export interface KeyRow {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  scopes: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const COLS = raw(`id, org_id AS "orgId", name, prefix, scopes, created_by AS "createdBy", created_at AS "createdAt",
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`);

export interface NewKey {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  keyHash: Buffer;
  scopes: string;
  createdBy: string;
  expiresAt: Date | null;
}

export async function insert(db: SqlClient, k: NewKey, now: Date): Promise<KeyRow> {
  const rows = await db.rows<KeyRow>(sql`
    INSERT INTO api_key (id, org_id, name, prefix, key_hash, scopes, created_by, created_at, expires_at)
    VALUES (${k.id}::uuid, ${k.orgId}, ${k.name}, ${k.prefix}, ${k.keyHash}, ${k.scopes}, ${k.createdBy}, ${now}::timestamptz,
            ${k.expiresAt}::timestamptz)
    RETURNING ${COLS}`);
  return rows[0]!;
}

/** The key with this hash, revoked or not (the caller decides). */
export function findByHash(db: SqlClient, keyHash: Buffer): Promise<KeyRow | null> {
  return db.one<KeyRow>(sql`SELECT ${COLS} FROM api_key WHERE key_hash = ${keyHash}`);
}

export function findForOrg(db: SqlClient, orgId: string, id: string): Promise<KeyRow | null> {
  return db.one<KeyRow>(sql`SELECT ${COLS} FROM api_key WHERE id = ${id}::uuid AND org_id = ${orgId}`);
}

/** The org's keys, newest first (at most `limit`). */
export function listForOrg(db: SqlClient, orgId: string, limit: number): Promise<KeyRow[]> {
  return db.rows<KeyRow>(sql`SELECT ${COLS} FROM api_key WHERE org_id = ${orgId} ORDER BY created_at DESC, id LIMIT ${limit}`);
}

/** Revokes the org's key if it is not revoked yet; null if nothing changed. */
export function revoke(db: SqlClient, orgId: string, id: string, now: Date): Promise<KeyRow | null> {
  return db.one<KeyRow>(sql`
    UPDATE api_key SET revoked_at = ${now}::timestamptz
    WHERE id = ${id}::uuid AND org_id = ${orgId} AND revoked_at IS NULL
    RETURNING ${COLS}`);
}

/** Records a use, at most once per `everyMs` per key (a compare-and-set, so concurrent pods write once). */
export async function touch(db: SqlClient, id: string, now: Date, everyMs: number): Promise<void> {
  await db.rows(sql`
    UPDATE api_key SET last_used_at = ${now}::timestamptz
    WHERE id = ${id}::uuid AND (last_used_at IS NULL OR last_used_at < ${new Date(now.getTime() - everyMs)}::timestamptz)`);
}
