import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../lib/crypto.js';

// How notify_url deliveries are signed (docs/webhooks.md). Each org has its own secret
// (src/webhooks/secrets.service.ts); during a rotation's grace period a delivery carries one
// signature per valid secret, newest first, so receivers can switch at their own pace.
//
// Standard Webhooks (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md):
//   webhook-id: <delivery id>   webhook-timestamp: <unix seconds>
//   webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>"> [v1,<…> …]
// keyed by the secret's bytes; the secret is handed out as `whsec_<base64 of those bytes>`.
//
// Tikops-Signature (the header of earlier releases, kept for one release):
//   t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">[,v1=<…>]
// keyed by the same bytes (the org's secret, no longer a deployment-wide WEBHOOK_SECRET).

export const SIGNATURE_HEADER = 'Tikops-Signature';
export const SECRET_PREFIX = 'whsec_';
/** Bytes of a new secret (Standard Webhooks: between 24 and 64). */
export const SECRET_BYTES = 32;
/** How far a signature's timestamp may be from the receiver's clock, by default. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A fresh random secret's bytes. */
export const newSecretKey = (): Buffer => randomBytes(SECRET_BYTES);

/** The secret as receivers are given it: `whsec_<base64>`. */
export const formatSecret = (key: Uint8Array): string => `${SECRET_PREFIX}${Buffer.from(key).toString('base64')}`;

/** The key bytes of a `whsec_…` secret (the prefix is optional, as in Standard Webhooks' libraries). */
export const parseSecret = (secret: string): Buffer => Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');

const standardMac = (key: Uint8Array, id: string, t: number, body: string): string =>
  createHmac('sha256', key).update(`${id}.${t}.${body}`).digest('base64');

const legacyMac = (key: Uint8Array, t: number, body: string): string => createHmac('sha256', key).update(`${t}.${body}`).digest('hex');

/**
 * The signing headers of one delivery attempt: the Standard Webhooks three and Tikops-Signature,
 * each with one signature per key in `keys` (current first). Header names are lower-case.
 */
export function signingHeaders(keys: readonly Uint8Array[], id: string, body: string, nowMs: number): Record<string, string> {
  const t = Math.floor(nowMs / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(t),
    'webhook-signature': keys.map((k) => `v1,${standardMac(k, id, t, body)}`).join(' '),
    [SIGNATURE_HEADER.toLowerCase()]: [`t=${t}`, ...keys.map((k) => `v1=${legacyMac(k, t, body)}`)].join(','),
  };
}

const fresh = (t: number, nowMs: number, toleranceSeconds: number): boolean =>
  Number.isSafeInteger(t) && Math.abs(nowMs / 1000 - t) <= toleranceSeconds;

/**
 * True if the Standard Webhooks headers carry a v1 signature of `body` under `secret` (`whsec_…`)
 * whose timestamp is within `toleranceSeconds` of `nowMs`. Constant-time; malformed is false.
 */
export function verifyStandard(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  nowMs: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  const t = /^[0-9]{1,12}$/.test(headers.timestamp) ? Number(headers.timestamp) : NaN;
  if (!fresh(t, nowMs, toleranceSeconds)) return false;
  const expected = standardMac(parseSecret(secret), headers.id, t, body);
  return headers.signature.split(' ').some((entry) => entry.startsWith('v1,') && safeEqual(entry.slice(3), expected));
}

/**
 * True if the Tikops-Signature `header` carries a v1 signature of `body` under `secret` whose
 * timestamp is within `toleranceSeconds` of `nowMs`. Compares in constant time; malformed headers are false.
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
  if (!fresh(t, nowMs, toleranceSeconds)) return false;
  const expected = legacyMac(parseSecret(secret), t, body);
  return parts.filter(([k]) => k === 'v1').some(([, v]) => safeEqual(v ?? '', expected));
}
