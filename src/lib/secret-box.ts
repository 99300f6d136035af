import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from './crypto.js';

// Secrets tikops must read back (management passwords, webhook signing secrets) are stored sealed,
// never in plain text: AES-256-GCM under a subkey of SIGNING_KEY for one purpose, a random 96-bit
// nonce per seal, and the owner's id (a site, an org) as associated data, so a sealed value copied
// onto another owner's row does not open.
// Layout: version (1 byte) | nonce (12) | ciphertext | tag (16). The version byte lets a later
// key or algorithm live beside this one.

const VERSION = 1;
const NONCE = 12;
const TAG = 16;

export interface SecretBox {
  seal(plain: Uint8Array | string, owner: string): Buffer;
  /** The plain bytes, or null if the value is malformed, tampered with or sealed under another key or owner. */
  openBytes(sealed: Uint8Array, owner: string): Buffer | null;
  /** `openBytes` as UTF-8 text. */
  open(sealed: Uint8Array, owner: string): string | null;
}

const aad = (owner: string): Buffer => Buffer.concat([Buffer.from([VERSION]), Buffer.from(owner, 'utf8')]);

/** Seals and opens secrets under the subkey of `signingKey` for `purpose` (e.g. `management-secret`). */
export function createSecretBox(signingKey: string, purpose: string): SecretBox {
  const key = deriveKey(signingKey, purpose);
  const openBytes = (sealed: Uint8Array, owner: string): Buffer | null => {
    const raw = Buffer.from(sealed);
    if (raw.length < 1 + NONCE + TAG || raw[0] !== VERSION) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(1, 1 + NONCE));
      decipher.setAAD(aad(owner));
      decipher.setAuthTag(raw.subarray(raw.length - TAG));
      return Buffer.concat([decipher.update(raw.subarray(1 + NONCE, raw.length - TAG)), decipher.final()]);
    } catch {
      return null;
    }
  };
  return {
    seal(plain, owner) {
      const nonce = randomBytes(NONCE);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(aad(owner));
      const body = Buffer.concat([cipher.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
    },
    openBytes,
    open: (sealed, owner) => openBytes(sealed, owner)?.toString('utf8') ?? null,
  };
}
