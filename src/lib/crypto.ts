import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** A 32-byte subkey of `secret` for one purpose, so one configured secret never serves two uses. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'tikops', purpose, 32));
}

/** HMAC-SHA256 of `data`, base64url. */
export function hmacBase64url(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data).digest('base64url');
}

/** Constant-time comparison of two strings (length differences return false without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}
