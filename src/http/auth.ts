import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config.js';
import { textProblem } from './text.js';
import { AppError } from '../errors.js';

// Operator authentication. Algorithms are pinned per key: HS256 only with JWT_SECRET, RS256 or
// ES256 only with JWT_PUBLIC_KEY (chosen by the key's type) or a key of JWT_JWKS_URL's set, so a
// token can never pick its own verification method (no alg=none, no HS256-with-the-public-key
// confusion). API keys (src/keys) arrive in the same `Authorization: Bearer` header.

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
  'webhooks:admin',
] as const;
export type Scope = (typeof SCOPES)[number];

/** Who made a request and how it reached us: what the audit log records (src/audit). */
export interface Actor {
  org: string;
  /** `key:<api key id>`, `jwt:<sub>` (`jwt:-` without one) or `cli`. */
  actor: string;
  /** X-Request-Id as the client sent it (if well-formed), else one generated for the request. */
  requestId: string;
  /** The client's address (X-Forwarded-For only with TRUST_PROXY). */
  source: string | null;
}

/** An authenticated operator: the tenant, what the credential may do ('all' = unrestricted), who and from where. */
export interface Operator extends Actor {
  scopes: ReadonlySet<string> | 'all';
  /** The API key behind the request, when it is one (sessions of the dashboard are bound to it). */
  keyId?: string;
}

/** What a verified credential says, before the request's id and address are added. */
export type Credential = Pick<Operator, 'org' | 'scopes' | 'actor' | 'keyId'> & {
  /** When the credential stops working, if it says (a key's expires_at, a JWT's exp): sessions end then too. */
  expiresAt?: Date;
};

type Verifier = (token: string) => Promise<JWTPayload>;

const HMAC_ALGS = ['HS256'];
const ASYMMETRIC_ALGS = ['RS256', 'ES256'];

function publicKeyAlg(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') return 'ES256';
  throw new Error(`JWT_PUBLIC_KEY: unsupported key type ${key.asymmetricKeyType}`);
}

/**
 * Verifies operator JWTs: signature under the key its pinned algorithm belongs to, `exp` required
 * and at most JWT_MAX_LIFETIME_SECONDS ahead (and after `iat`), `iss`/`aud` when configured.
 */
export function createJwtVerifier(cfg: Config['jwt']): Verifier {
  // KeyObjects built once; the remote set is fetched on first use and cached by jose (refetched
  // for an unknown `kid`, at most every 30 s).
  const secret = cfg.secret ? createSecretKey(Buffer.from(cfg.secret)) : undefined;
  const publicKey = cfg.publicKey ? createPublicKey(cfg.publicKey) : undefined;
  const publicAlg = publicKey ? publicKeyAlg(publicKey) : undefined;
  const remote = cfg.jwksUrl ? createRemoteJWKSet(new URL(cfg.jwksUrl), { timeoutDuration: 5000 }) : undefined;
  const algorithms = [...(secret ? HMAC_ALGS : []), ...(publicAlg ? [publicAlg] : []), ...(remote ? ASYMMETRIC_ALGS : [])];
  const getKey: JWTVerifyGetKey = (header, token) => {
    if (header.alg === 'HS256' && secret) return secret;
    if (header.alg === publicAlg && publicKey) return publicKey;
    if (remote && ASYMMETRIC_ALGS.includes(header.alg)) return remote(header, token);
    throw new AppError('token_invalid');
  };
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, getKey, {
        algorithms: [...new Set(algorithms)],
        issuer: cfg.issuer,
        audience: cfg.audience,
        requiredClaims: ['exp'],
      });
      const exp = payload.exp!;
      const now = Math.floor(Date.now() / 1000);
      if (exp - now > cfg.maxLifetimeSeconds || (typeof payload.iat === 'number' && exp - payload.iat > cfg.maxLifetimeSeconds)) {
        throw new AppError('token_invalid', { message: `The token lives longer than the allowed ${cfg.maxLifetimeSeconds} s (JWT_MAX_LIFETIME_SECONDS).` });
      }
      return payload;
    } catch (err) {
      if (err instanceof AppError) throw err;
      const message = err instanceof joseErrors.JWTClaimValidationFailed ? `The bearer token is invalid: ${err.message}.` : undefined;
      throw new AppError('token_invalid', { cause: err, message });
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
function scopesOf(claims: JWTPayload): Operator['scopes'] {
  const { scope, scopes } = claims as { scope?: unknown; scopes?: unknown };
  if (scope === undefined && scopes === undefined) return 'all';
  const raw = scope ?? scopes;
  const list: unknown = typeof raw === 'string' ? raw.split(' ').filter(Boolean) : raw;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
    throw new AppError('token_invalid', { message: "The token's scope claim must be a space-separated string or an array of strings." });
  }
  return new Set(list);
}

/** The credential a JWT carries: tenant = the `org` claim (or `sub`, when JWT_TENANT_FROM_SUB opts in). */
export async function jwtCredential(verify: Verifier, token: string, tenantFromSub: boolean): Promise<Credential> {
  const claims = await verify(token);
  const org: unknown = claims.org ?? (tenantFromSub ? claims.sub : undefined);
  if (typeof org !== 'string' || org.length === 0 || org.length > 200) {
    const names = tenantFromSub ? 'org or sub claim' : 'org claim';
    throw new AppError('token_invalid', { message: `The token names no organisation (${names}).` });
  }
  // The org names the tenant in every row, log line and metric label: the text rule applies.
  if (textProblem(org) !== null) throw new AppError('token_invalid', { message: "The token's organisation claim holds characters an organisation name cannot have." });
  const sub = typeof claims.sub === 'string' && claims.sub.length <= 200 ? claims.sub : '-';
  return { org, scopes: scopesOf(claims), actor: `jwt:${sub}`, expiresAt: new Date(claims.exp! * 1000) };
}

/** A 403 naming the first of `required` that the operator's credential lacks. */
export function requireScopes(operator: Pick<Operator, 'scopes'>, required: readonly Scope[]): void {
  if (operator.scopes === 'all') return;
  const granted = operator.scopes;
  const missing = required.find((s) => !granted.has(s));
  if (missing) throw new AppError('insufficient_scope', { param: missing, message: `This credential lacks the '${missing}' scope.` });
}
