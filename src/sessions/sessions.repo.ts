import { sql, type SqlClient } from '../db/sql.js';

// Dashboard sessions in PostgreSQL (hand-written SQL: the lookup runs on every cookie-authenticated
// request, joined with the API key it was opened with, so a revoked key ends its sessions at once).

export interface SessionRow {
  orgId: string;
  actor: string;
  /** Space-separated scopes; null = every scope (a JWT without a scope claim). */
  scopes: string | null;
  keyId: string | null;
  expiresAt: Date;
  /** The key's revocation and expiry (null without a key). */
  keyRevokedAt: Date | null;
  keyExpiresAt: Date | null;
}

export interface NewSession {
  idHash: Buffer;
  orgId: string;
  actor: string;
  scopes: string | null;
  keyId: string | null;
  expiresAt: Date;
}

export async function insert(db: SqlClient, s: NewSession, now: Date): Promise<void> {
  await db.rows(sql`
    INSERT INTO operator_session (id_hash, org_id, actor, scopes, key_id, created_at, expires_at)
    VALUES (${s.idHash}, ${s.orgId}, ${s.actor}, ${s.scopes}, ${s.keyId}::uuid, ${now}::timestamptz, ${s.expiresAt}::timestamptz)`);
}

export function find(db: SqlClient, idHash: Buffer): Promise<SessionRow | null> {
  return db.one<SessionRow>(sql`
    SELECT s.org_id AS "orgId", s.actor, s.scopes, s.key_id AS "keyId", s.expires_at AS "expiresAt",
           k.revoked_at AS "keyRevokedAt", k.expires_at AS "keyExpiresAt"
    FROM operator_session s LEFT JOIN api_key k ON k.id = s.key_id
    WHERE s.id_hash = ${idHash}`);
}

export async function remove(db: SqlClient, idHash: Buffer): Promise<void> {
  await db.rows(sql`DELETE FROM operator_session WHERE id_hash = ${idHash}`);
}

/** Deletes up to `limit` sessions that ended before `now` (each sign-in sweeps a few). */
export async function pruneExpired(db: SqlClient, now: Date, limit: number): Promise<void> {
  await db.rows(sql`
    DELETE FROM operator_session WHERE id_hash IN (
      SELECT id_hash FROM operator_session WHERE expires_at < ${now}::timestamptz LIMIT ${limit})`);
}
