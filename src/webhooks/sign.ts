import { createHmac } from 'node:crypto';
import type { Config } from '../config.js';
import { deriveKey, safeEqual } from '../lib/crypto.js';

// The Tikops-Signature header (Stripe's scheme): `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
// keyed by WEBHOOK_SECRET. Binding the timestamp into the MAC lets receivers refuse replays of an
// old delivery. tikops sends one v1 today; verifiers accept any v1 entry so that a later secret
// rotation can send two without breaking receivers.
// docs/webhooks.md documents this for receivers, with a verification snippet that the tests run.

export const SIGNATURE_HEADER = 'Tikops-Signature';
/** How far a signature's timestamp may be from the receiver's clock, by default. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The HMAC key: WEBHOOK_SECRET, or (development only; production requires the variable) one derived from SIGNING_KEY. */
export function webhookSecret(config: Pick<Config, 'webhook' | 'signingKey'>): string {
  return config.webhook.secret ?? deriveKey(config.signingKey, 'webhook').toString('base64url');
}

function mac(secret: string, unixSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
}

/** The Tikops-Signature header value for `body` sent at `nowMs`. */
export function signatureHeader(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${mac(secret, t, body)}`;
}

/**
 * True if `header` carries a v1 signature of `body` under `secret` whose timestamp is within
 * `toleranceSeconds` of `nowMs`. Compares in constant time; malformed headers are false.
 */
export function verifySignature(
  secret: string,
  header: string,
  body: string,
  nowMs: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isSafeInteger(t) || Math.abs(nowMs / 1000 - t) > toleranceSeconds) return false;
  const expected = mac(secret, t, body);
  return parts.filter(([k]) => k === 'v1').some(([, v]) => safeEqual(v ?? '', expected));
}
