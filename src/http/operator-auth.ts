import type { Config } from '../config.js';
import type { Deps } from '../runtime.js';
import { looksLikeKey } from '../keys/api-key.js';
import { authenticateKey, type KeyDeps } from '../keys/keys.service.js';
import { createJwtVerifier, jwtCredential, type Credential } from './auth.js';

// The operator credential behind a bearer value: an API key (`tko_…`) or a JWT. Used by the
// route registrar (src/http/register.ts) and by sign-in (POST /session).

type Verifier = ReturnType<typeof createJwtVerifier>;
// One verifier per configuration: the remote JWK set it holds is a cache worth sharing.
const verifiers = new WeakMap<Config['jwt'], Verifier>();

function verifierFor(cfg: Config['jwt']): Verifier {
  let v = verifiers.get(cfg);
  if (!v) verifiers.set(cfg, (v = createJwtVerifier(cfg)));
  return v;
}

/**
 * The credential `token` stands for, or 401 `token_invalid`; verified once and then remembered
 * for a short while (src/http/credential-cache.ts: a revoked API key stops at once).
 */
export function credentialOf(deps: KeyDeps & Pick<Deps, 'credentials'>, token: string): Promise<Credential> {
  const isKey = looksLikeKey(token);
  return deps.credentials.lookup(token, isKey, deps.clock(), () =>
    isKey ? authenticateKey(deps, token) : jwtCredential(verifierFor(deps.config.jwt), token, deps.config.jwt.tenantFromSub),
  );
}
