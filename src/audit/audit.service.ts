import { createHash } from 'node:crypto';
import type { DbTx } from '../db/prisma.js';
import type { SqlClient } from '../db/sql.js';
import type { Actor } from '../http/auth.js';
import type { Deps } from '../runtime.js';
import * as repo from './audit.repo.js';
import type { AuditEventDto } from './audit.schema.js';

// The audit log (docs/security.md): who changed what, from where, under which request. Services
// record an event in the transaction of the change itself, through `auditedPrisma`,
// `auditedSql` or (for single-statement changes) the CTE of `repo.insertFrom`.

export type { Actor };

/** What a service says about a change: action, target and a redacted summary (no secrets, no scripts). */
export interface Change {
  action: string;
  target: string;
  summary?: Record<string, unknown>;
}

export function entry(by: Actor, c: Change): repo.AuditEntry {
  return { orgId: by.org, actor: by.actor, action: c.action, target: c.target, requestId: by.requestId, source: by.source, summary: c.summary ?? {} };
}

/** The CTE insert recording `action` for each row the CTE `from` returns (target `targetPrefix` + its id). */
export function insertFrom(from: string, by: Actor, action: string, targetPrefix: string, summary: Record<string, unknown> = {}): ReturnType<typeof repo.insertFrom> {
  const { target: _target, ...e } = entry(by, { action, target: '', summary });
  return repo.insertFrom(from, { ...e, targetPrefix });
}

/**
 * Runs `change` in one Prisma transaction and records what `describe` says of its result in the
 * same transaction (nothing when it returns null). A change that throws writes no audit row.
 */
export function auditedPrisma<T>(deps: Pick<Deps, 'db'>, by: Actor, change: (tx: DbTx) => Promise<T>, describe: (result: T) => Change | null): Promise<T> {
  return deps.db.$transaction(async (tx) => {
    const result = await change(tx);
    const c = describe(result);
    if (c) await repo.insertWithPrisma(tx, entry(by, c));
    return result;
  });
}

/** `auditedPrisma` for changes made with hand-written SQL (src/db/sql.ts). */
export function auditedSql<T>(deps: Pick<Deps, 'sql'>, by: Actor, change: (tx: SqlClient) => Promise<T>, describe: (result: T) => Change | null): Promise<T> {
  return deps.sql.transaction(async (tx) => {
    const result = await change(tx);
    const c = describe(result);
    if (c) await repo.insert(tx, entry(by, c));
    return result;
  });
}

/** How a script appears in the audit log: its SHA-256 and length, never its text. */
export function scriptDigest(script: string): { script_sha256: string; script_bytes: number } {
  return { script_sha256: createHash('sha256').update(script).digest('hex'), script_bytes: Buffer.byteLength(script) };
}

/** A URL as the audit log shows it: scheme, host and port only (paths and queries may hold secrets). */
export function urlOrigin(url: string | null): string | null {
  if (url === null) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export async function listAudit(
  deps: Pick<Deps, 'sql'>,
  org: string,
  q: { limit: number; cursor?: bigint | undefined; action?: string | undefined; target?: string | undefined },
): Promise<{ events: AuditEventDto[]; nextCursor: string | null }> {
  const rows = await repo.list(deps.sql, org, { limit: q.limit + 1, beforeId: q.cursor ?? null, action: q.action ?? null, target: q.target ?? null });
  const page = rows.slice(0, q.limit);
  const more = rows.length > q.limit;
  return {
    events: page.map((r) => ({
      id: r.id.toString(),
      actor: r.actor,
      action: r.action,
      target: r.target,
      request_id: r.requestId,
      source: r.source,
      summary: r.summary,
      at: r.at.toISOString(),
    })),
    nextCursor: more && page.length > 0 ? page[page.length - 1]!.id.toString() : null,
  };
}
