import { AppError } from '../errors.js';
import { auditedSql, type Actor } from '../audit/audit.service.js';
import { requireScopes, type Credential, type Operator, type Scope } from '../http/auth.js';
import { newId } from '../lib/ids.js';
import type { Deps } from '../runtime.js';
import { displayPrefix, generateSecret, hashSecret, isWellFormed } from './api-key.js';
import * as repo from './keys.repo.js';
import type { ApiKeyDto, ApiKeyWithSecretDto } from './keys.schema.js';

// Scoped API keys (docs/security.md). A key is looked up by its hash in PostgreSQL on every
// request, so revoking it takes effect at once on every API pod, with no cache to invalidate.

/** What key operations need: the CLI has no Redis, so not the whole of Deps. */
export type KeyDeps = Pick<Deps, 'sql' | 'config' | 'clock'>;

/** How often a key's last_used_at is refreshed at most (one conditional UPDATE per key and minute). */
const TOUCH_EVERY_MS = 60_000;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toDto(k: repo.KeyRow): ApiKeyDto {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes.split(' ').filter(Boolean),
    created_by: k.createdBy,
    created_at: k.createdAt.toISOString(),
    expires_at: iso(k.expiresAt),
    last_used_at: iso(k.lastUsedAt),
    revoked_at: iso(k.revokedAt),
  };
}

/**
 * Creates a key for the caller's organisation and returns its secret (the only time it is shown).
 * A credential can only grant scopes it holds itself (403 `insufficient_scope` names the first it lacks).
 */
export async function createKey(
  deps: KeyDeps,
  by: Actor & Pick<Operator, 'scopes'>,
  input: { name: string; scopes: readonly Scope[]; expires_at: string | null },
): Promise<ApiKeyWithSecretDto> {
  requireScopes(by, input.scopes);
  const now = new Date(deps.clock());
  const expiresAt = input.expires_at === null ? null : new Date(input.expires_at);
  if (expiresAt && expiresAt <= now) {
    throw new AppError('parameter_invalid', { param: 'expires_at', message: "The 'expires_at' parameter must lie in the future." });
  }
  const secret = generateSecret();
  const key: repo.NewKey = {
    id: newId(),
    orgId: by.org,
    name: input.name,
    prefix: displayPrefix(secret),
    keyHash: hashSecret(deps.config, secret),
    scopes: input.scopes.join(' '),
    createdBy: by.actor,
    expiresAt,
  };
  const row = await auditedSql(deps, by, (tx) => repo.insert(tx, key, now), (k) => ({
    action: 'api_key.create',
    target: `api_key:${k.id}`,
    summary: { name: k.name, prefix: k.prefix, scopes: input.scopes, expires_at: iso(k.expiresAt) },
  }));
  return { ...toDto(row), secret };
}

export async function listKeys(deps: KeyDeps, org: string): Promise<ApiKeyDto[]> {
  return (await repo.listForOrg(deps.sql, org, 1000)).map(toDto);
}

/** Revokes the organisation's key at once; revoking a revoked key answers it unchanged (and records nothing). */
export async function revokeKey(deps: KeyDeps, by: Actor, keyId: string): Promise<ApiKeyDto> {
  const now = new Date(deps.clock());
  const revoked = await auditedSql(deps, by, (tx) => repo.revoke(tx, by.org, keyId, now), (k) =>
    k ? { action: 'api_key.revoke', target: `api_key:${k.id}`, summary: { name: k.name, prefix: k.prefix } } : null,
  );
  if (revoked) return toDto(revoked);
  const existing = await repo.findForOrg(deps.sql, by.org, keyId);
  if (!existing) throw new AppError('api_key_not_found');
  return toDto(existing);
}

/** The credential an API key secret stands for, or 401 `token_invalid` (unknown, revoked or expired). */
export async function authenticateKey(deps: KeyDeps, secret: string): Promise<Credential> {
  if (!isWellFormed(secret)) throw new AppError('token_invalid', { message: 'The API key is malformed.' });
  const key = await repo.findByHash(deps.sql, hashSecret(deps.config, secret));
  const now = new Date(deps.clock());
  if (!key || key.revokedAt) throw new AppError('token_invalid', { message: 'The API key is unknown or revoked.' });
  if (key.expiresAt && key.expiresAt <= now) throw new AppError('token_invalid', { message: 'The API key has expired.' });
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= TOUCH_EVERY_MS) await repo.touch(deps.sql, key.id, now, TOUCH_EVERY_MS);
  return { org: key.orgId, scopes: new Set(key.scopes.split(' ')), actor: `key:${key.id}`, keyId: key.id, ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}) };
}

/** Whether the org's key `keyId` still works (not revoked, not expired): what an open event stream re-checks. */
export async function keyIsLive(deps: KeyDeps, org: string, keyId: string): Promise<boolean> {
  const k = await repo.findForOrg(deps.sql, org, keyId);
  return k !== null && k.revokedAt === null && (k.expiresAt === null || k.expiresAt.getTime() > deps.clock());
}
