import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt, { type Algorithm } from 'jsonwebtoken';
import type { Config } from '../config.js';
import { textProblem } from './text.js';
import { AppError } from '../errors.js';

// Operator authentication. Algorithms are pinned per key: HS256 only with JWT_SECRET, RS256 or
// ES256 only with JWT_PUBLIC_KEY (chosen by the key's type), so a token can never pick its own
// verification method (no alg=none, no HS256-with-the-public-key confusion).

/** What an operator credential may be allowed to do; each route names the scopes it requires. */
export const SCOPES = [
  'sites:read',
  'sites:write',
  'jobs:read',
  'jobs:write',
  'backups:read',
  'backups:write',
  'rollouts:write',
  'rollouts:approve',
  'keys:admin',
  'audit:read',
] as const;
export type Scope = (typeof SCOPES)[number];

/** An authenticated operator: the tenant and what the credential may do ('all' = unrestricted). */
export interface Operator {
  org: string;
  scopes: ReadonlySet<string> | 'all';
}

type Verifier = (token: string) => jwt.JwtPayload;

export function createJwtVerifier(cfg: Config['jwt']): Verifier {
  // KeyObjects built once: given strings, jsonwebtoken re-parses the key on every verify.
  const keys = new Map<Algorithm, KeyObject>();
  if (cfg.secret) keys.set('HS256', createSecretKey(Buffer.from(cfg.secret)));
  if (cfg.publicKey) {
    const key = createPublicKey(cfg.publicKey);
    if (key.asymmetricKeyType === 'rsa') keys.set('RS256', key);
    else if (key.asymmetricKeyType === 'ec') keys.set('ES256', key);
    else throw new Error(`JWT_PUBLIC_KEY: unsupported key type ${key.asymmetricKeyType}`);
  }
  return (token) => {
    const header = jwt.decode(token, { complete: true })?.header;
    const alg = header?.alg as Algorithm | undefined;
    const key = alg ? keys.get(alg) : undefined;
    if (!alg || !key) throw new AppError('token_invalid');
    try {
      const payload = jwt.verify(token, key, {
        algorithms: [alg],
        issuer: cfg.issuer,
        audience: cfg.audience,
      });
      if (typeof payload === 'string') throw new AppError('token_invalid');
      return payload;
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('token_invalid', { cause: err });
    }
  };
}

/** The credential of an `Authorization: Bearer <token>` header value, or a 401. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) throw new AppError('authentication_required');
  return match[1];
}

/**
 * The scopes a JWT grants: a space-separated `scope` claim (RFC 8693 §4.2) or a `scopes` list;
 * a token with neither predates scopes and may do everything.
 */
function scopesOf(claims: jwt.JwtPayload): Operator['scopes'] {
  const { scope, scopes } = claims as { scope?: unknown; scopes?: unknown };
  if (scope === undefined && scopes === undefined) return 'all';
  const raw = scope ?? scopes;
  const list: unknown = typeof raw === 'string' ? raw.split(' ').filter(Boolean) : raw;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
    throw new AppError('token_invalid', { message: "The token's scope claim must be a space-separated string or an array of strings." });
  }
  return new Set(list);
}

/** The operator behind an Authorization header: tenant = the `org` claim, else `sub`. */
export function authenticateOperator(verify: Verifier, header: string | undefined): Operator {
  const claims = verify(bearerToken(header));
  const org: unknown = claims.org ?? claims.sub;
  if (typeof org !== 'string' || org.length === 0 || org.length > 200) {
    throw new AppError('token_invalid', { message: 'The token names no organisation (org or sub claim).' });
  }
  // The org names the tenant in every row, log line and metric label: the text rule applies.
  if (textProblem(org) !== null) throw new AppError('token_invalid', { message: "The token's organisation claim holds characters an organisation name cannot have." });
  return { org, scopes: scopesOf(claims) };
}

/** A 403 naming the first of `required` that the operator's credential lacks. */
export function requireScopes(operator: Operator, required: readonly Scope[]): void {
  if (operator.scopes === 'all') return;
  const granted = operator.scopes;
  const missing = required.find((s) => !granted.has(s));
  if (missing) throw new AppError('insufficient_scope', { param: missing, message: `This credential lacks the '${missing}' scope.` });
}
