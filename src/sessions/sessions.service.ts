import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { SCOPES, type Credential } from '../http/auth.js';
import { hashSecret } from '../keys/api-key.js';
import { hmacBase64url, safeEqual } from '../lib/crypto.js';
import type { Deps } from '../runtime.js';
import * as repo from './sessions.repo.js';
import type { SessionDto } from './sessions.schema.js';

// Dashboard sessions (docs/security.md, "Dashboard sessions"). POST /session exchanges an API key
// (or JWT) for an httpOnly, SameSite=Strict cookie (Secure in production) naming a random session
// id; only its HMAC is stored. The session has the credential's scopes and ends with its key:
// every request joins the session with its API key, so a revoked key ends its sessions at once.
// State-changing requests made with the cookie must carry X-CSRF-Token (an HMAC of the session
// id), which a page of another origin cannot read.

export const SESSION_COOKIE = 'tikops_session';
/** The longest a session lasts; shorter when its key or JWT expires first. */
const SESSION_TTL_MS = 12 * 3_600_000;
const SID_RE = /^[A-Za-z0-9_-]{43}$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type SessionDeps = Pick<Deps, 'sql' | 'config' | 'clock'>;

const idHash = (config: Config, sid: string): Buffer => hashSecret(config, `session:${sid}`);
const csrfToken = (config: Config, sid: string): string => hmacBase64url(idHash(config, `csrf:${sid}`), 'csrf');

function cookie(config: Config, value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${config.env === 'production' ? '; Secure' : ''}`;
}

/** The Set-Cookie value that removes the session cookie. */
export const clearedCookie = (config: Config): string => cookie(config, '', 0);

function toDto(config: Config, sid: string, c: Pick<Credential, 'org' | 'actor' | 'scopes'>, expiresAt: Date): SessionDto {
  return {
    org: c.org,
    actor: c.actor,
    scopes: c.scopes === 'all' ? [...SCOPES] : [...c.scopes],
    csrf_token: csrfToken(config, sid),
    expires_at: expiresAt.toISOString(),
  };
}

/** Opens a session for an authenticated credential; returns it and its Set-Cookie value. */
export async function openSession(deps: SessionDeps, c: Credential): Promise<{ session: SessionDto; setCookie: string }> {
  const now = new Date(deps.clock());
  const ttlEnd = now.getTime() + SESSION_TTL_MS;
  const expiresAt = new Date(c.expiresAt ? Math.min(ttlEnd, c.expiresAt.getTime()) : ttlEnd);
  const sid = randomBytes(32).toString('base64url');
  await repo.insert(
    deps.sql,
    { idHash: idHash(deps.config, sid), orgId: c.org, actor: c.actor, scopes: c.scopes === 'all' ? null : [...c.scopes].join(' '), keyId: c.keyId ?? null, expiresAt },
    now,
  );
  await repo.pruneExpired(deps.sql, now, 100);
  const maxAge = Math.max(1, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  return { session: toDto(deps.config, sid, c, expiresAt), setCookie: cookie(deps.config, sid, maxAge) };
}

const ended = (): AppError =>
  new AppError('token_invalid', { message: 'The session has ended (signed out, expired, or its API key was revoked); sign in again.' });

/** The credential a session cookie stands for, or 401: unknown, expired, or its API key revoked or expired. */
export async function authenticateSession(deps: SessionDeps, sid: string): Promise<Credential & { expiresAt: Date }> {
  if (!SID_RE.test(sid)) throw ended();
  const row = await repo.find(deps.sql, idHash(deps.config, sid));
  const now = deps.clock();
  if (!row || row.expiresAt.getTime() <= now || row.keyRevokedAt || (row.keyExpiresAt && row.keyExpiresAt.getTime() <= now)) throw ended();
  return {
    org: row.orgId,
    actor: row.actor,
    scopes: row.scopes === null ? 'all' : new Set(row.scopes.split(' ')),
    ...(row.keyId ? { keyId: row.keyId } : {}),
    expiresAt: row.expiresAt,
  };
}

/** 403 `csrf_token_invalid` unless a state-changing request carries the session's CSRF token. */
export function checkCsrf(config: Config, method: string, sid: string, header: string | undefined): void {
  if (SAFE_METHODS.has(method)) return;
  if (!header || !safeEqual(header, csrfToken(config, sid))) throw new AppError('csrf_token_invalid');
}

/** The session the cookie names (with its CSRF token), or null. */
export async function currentSession(deps: SessionDeps, sid: string | undefined): Promise<SessionDto | null> {
  if (!sid) return null;
  try {
    const c = await authenticateSession(deps, sid);
    return toDto(deps.config, sid, c, c.expiresAt);
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
}

/** Signs out: deletes a live session (its CSRF token required); a dead or absent one needs nothing. */
export async function closeSession(deps: SessionDeps, sid: string | undefined, csrf: string | undefined): Promise<void> {
  if (!sid || (await currentSession(deps, sid)) === null) return;
  checkCsrf(deps.config, 'DELETE', sid, csrf);
  await repo.remove(deps.sql, idHash(deps.config, sid));
}

/** The session id in a Cookie header, if there is one. */
export function sessionIdFrom(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
