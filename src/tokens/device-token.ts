import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from '../lib/crypto.js';

// Device tokens are AES-256-GCM ciphertexts of (site id, token version) under a key derived from
// SIGNING_KEY: opaque to the router, unforgeable, and verifiable without a database round trip.
// Revocation bumps the site's token version; the poll script compares it with the one in Redis.

const VERSION_BYTE = 1;

export interface DeviceIdentity {
  siteId: string;
  tokenVersion: number;
}

export interface DeviceTokens {
  issue(id: DeviceIdentity): string;
  /** The identity inside a token, or null if it is malformed, forged or under another key. */
  verify(token: string): DeviceIdentity | null;
}

export function createDeviceTokens(signingKey: string): DeviceTokens {
  const key = deriveKey(signingKey, 'device-token');
  return {
    issue({ siteId, tokenVersion }) {
      const plain = Buffer.alloc(20);
      Buffer.from(siteId.replace(/-/g, ''), 'hex').copy(plain, 0);
      plain.writeUInt32BE(tokenVersion, 16);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from([VERSION_BYTE]));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION_BYTE]), iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    verify(token) {
      if (token.length !== 66 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
      const raw = Buffer.from(token, 'base64url');
      if (raw.length !== 49 || raw[0] !== VERSION_BYTE) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(1, 13));
        decipher.setAAD(raw.subarray(0, 1));
        decipher.setAuthTag(raw.subarray(33));
        const plain = Buffer.concat([decipher.update(raw.subarray(13, 33)), decipher.final()]);
        const hex = plain.subarray(0, 16).toString('hex');
        const siteId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
        return { siteId, tokenVersion: plain.readUInt32BE(16) };
      } catch {
        return null;
      }
    },
  };
}
