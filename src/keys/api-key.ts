import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { deriveKey } from '../lib/crypto.js';

// API key secrets: `tko_` + 32 random bytes in base64url (43 characters). Only an HMAC-SHA256
// of the secret under API_KEY_SECRET is stored. A keyed fast hash is the right tool for random
// secrets: 256 bits cannot be guessed, so a slow password hash (argon2) would only cost CPU on
// every request, while the key makes a stolen table useless without the server's secret.

export const KEY_PREFIX = 'tko_';
const KEY_RE = /^tko_[A-Za-z0-9_-]{43}$/;

/** A new secret: `tko_` + base64url of 32 random bytes. */
export function generateSecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** True if `s` has the shape of an API key (anything else in the Bearer header is a JWT). */
export function looksLikeKey(s: string): boolean {
  return s.startsWith(KEY_PREFIX);
}

export function isWellFormed(s: string): boolean {
  return KEY_RE.test(s);
}

/** The characters lists show to tell keys apart (`tko_` + 8): 48 bits, useless for guessing the rest. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, KEY_PREFIX.length + 8);
}

/** HMAC-SHA256 of the secret under API_KEY_SECRET (or, outside production, a key derived from SIGNING_KEY). */
export function hashSecret(config: Pick<Config, 'apiKeySecret' | 'signingKey'>, secret: string): Buffer {
  const key = config.apiKeySecret ?? deriveKey(config.signingKey, 'api-key');
  return createHmac('sha256', key).update(secret).digest();
}
