import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from '../lib/crypto.js';

// Management passwords are stored sealed, never in plain text: AES-256-GCM under a key derived
// from SIGNING_KEY for this one purpose, a random 96-bit nonce per seal, and the site id as
// associated data, so a sealed value copied onto another site's row does not open.
// Layout: version (1 byte) | nonce (12) | ciphertext | tag (16). The version byte lets a later
// key or algorithm live beside this one.

const VERSION = 1;
const NONCE = 12;
const TAG = 16;

export interface SecretBox {
  seal(plain: string, siteId: string): Buffer;
  /** The plain text, or null if the value is malformed, tampered with or sealed under another key. */
  open(sealed: Uint8Array, siteId: string): string | null;
}

const aad = (siteId: string): Buffer => Buffer.concat([Buffer.from([VERSION]), Buffer.from(siteId, 'utf8')]);

/** Seals and opens management secrets under a subkey of `signingKey`. */
export function createSecretBox(signingKey: string): SecretBox {
  const key = deriveKey(signingKey, 'management-secret');
  return {
    seal(plain, siteId) {
      const nonce = randomBytes(NONCE);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(aad(siteId));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
    },
    open(sealed, siteId) {
      const raw = Buffer.from(sealed);
      if (raw.length < 1 + NONCE + TAG || raw[0] !== VERSION) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(1, 1 + NONCE));
        decipher.setAAD(aad(siteId));
        decipher.setAuthTag(raw.subarray(raw.length - TAG));
        return Buffer.concat([decipher.update(raw.subarray(1 + NONCE, raw.length - TAG)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
