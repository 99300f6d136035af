import { createHash, createHmac } from 'node:crypto';
import { deriveKey } from '../lib/crypto.js';
import { uuidToBase62 } from '../lib/ids.js';

// A runbook's token is derived from its id under a key derived from SIGNING_KEY: the database keeps
// only the token's SHA-256 (a copy of the database cannot adopt a router), yet the API can still show
// a runbook's bootstrap command at any time. The token carries 128 bits of HMAC output, too many to
// guess, so an unkeyed hash is enough for the lookup (and PostgreSQL computes the same one for the
// runbooks created before tokens were derived: prisma/migrations/20261201224500_runbook_token_hash).

/** The runbook's token: 22 base62 characters of HMAC-SHA256(key, id). */
export function runbookToken(signingKey: string, runbookId: string): string {
  const mac = createHmac('sha256', deriveKey(signingKey, 'runbook-token')).update(runbookId).digest('hex');
  return uuidToBase62(mac.slice(0, 32));
}

/** What the database stores and looks a token up by: hex SHA-256 of its UTF-8 bytes. */
export function runbookTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
