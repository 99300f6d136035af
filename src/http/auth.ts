import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type Router from '@koa/router';
import jwt, { type Algorithm } from 'jsonwebtoken';
import type { Context, Middleware } from 'koa';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

// Operator authentication. Algorithms are pinned per key: HS256 only with JWT_SECRET, RS256 or
// ES256 only with JWT_PUBLIC_KEY (chosen by the key's type), so a token can never pick its own
// verification method (no alg=none, no HS256-with-the-public-key confusion).

export interface OperatorState {
  org: string;
}

/** The app's one router; every capability registers its routes on it. */
export type AppRouter = Router<OperatorState>;

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

/** The bearer credential of a request, or a 401. */
export function bearer(ctx: Context): string {
  return bearerToken(ctx.get('authorization'));
}

/** The credential of an `Authorization: Bearer <token>` header value, or a 401. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) throw new AppError('authentication_required');
  return match[1];
}

/** Requires an operator JWT and puts its tenant (the `org` claim, else `sub`) in ctx.state.org. */
export function requireOperator(verify: Verifier): Middleware<OperatorState> {
  return async (ctx, next) => {
    const claims = verify(bearer(ctx));
    const org: unknown = claims.org ?? claims.sub;
    if (typeof org !== 'string' || org.length === 0 || org.length > 200) {
      throw new AppError('token_invalid', { message: 'The token names no organisation (org or sub claim).' });
    }
    ctx.state.org = org;
    await next();
  };
}
