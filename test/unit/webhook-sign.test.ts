import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { formatSecret, parseSecret, signingHeaders, verifySignature, verifyStandard } from '../../src/webhooks/sign.js';
import { loadDocumentedVerifier } from '../webhooks/support.js';

const body = JSON.stringify({ id: 'evt_7', type: 'job.completed', data: { note: 'ünïcode ✓' } });
const now = Date.UTC(2026, 3, 20, 3, 14, 15);
const keyA = Buffer.alloc(32, 0xa1);
const keyB = Buffer.alloc(32, 0xb2);
const SECRET_A = formatSecret(keyA);
const SECRET_B = formatSecret(keyB);
const standard = (h: Record<string, string>) => ({ id: h['webhook-id']!, timestamp: h['webhook-timestamp']!, signature: h['webhook-signature']! });

describe('Standard Webhooks headers', () => {
  it('has the documented shape: webhook-id, unix-seconds timestamp, one v1,<base64> per key', () => {
    const h = signingHeaders([keyA], 'evt_7', body, now);
    expect(h['webhook-id']).toBe('evt_7');
    expect(h['webhook-timestamp']).toBe(String(Math.floor(now / 1000)));
    expect(h['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(signingHeaders([keyA, keyB], 'evt_7', body, now)['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
  });

  it('is what the standardwebhooks package verifies, under either key of a grace period', () => {
    const h = signingHeaders([keyA, keyB], 'evt_7', body, Date.now());
    expect(new Webhook(SECRET_A).verify(body, h)).toEqual(JSON.parse(body));
    expect(new Webhook(SECRET_B).verify(body, h)).toEqual(JSON.parse(body));
    expect(() => new Webhook(formatSecret(Buffer.alloc(32, 1))).verify(body, h)).toThrow(/signature/i);
    expect(() => new Webhook(SECRET_A).verify(body, { ...h, 'webhook-id': 'evt_8' })).toThrow(/signature/i);
  });

  it('verifies its own signature and refuses a changed body, id, timestamp, another secret or a stale time', () => {
    const h = standard(signingHeaders([keyA], 'evt_7', body, now));
    expect(verifyStandard(SECRET_A, h, body, now)).toBe(true);
    expect(verifyStandard(SECRET_A, h, body.replace('7', '8'), now)).toBe(false);
    expect(verifyStandard(SECRET_A, { ...h, id: 'evt_8' }, body, now)).toBe(false);
    expect(verifyStandard(SECRET_A, { ...h, timestamp: String(Number(h.timestamp) + 1) }, body, now)).toBe(false);
    expect(verifyStandard(SECRET_B, h, body, now)).toBe(false);
    expect(verifyStandard(SECRET_A, h, body, now + 301_000)).toBe(false);
    expect(verifyStandard(SECRET_A, { ...h, signature: '' }, body, now)).toBe(false);
  });
});

describe('Tikops-Signature (kept for one release, keyed by the org secret)', () => {
  it('has the documented shape: t=<unix seconds>,v1=<64 hex>[,v1=…]', () => {
    const t = Math.floor(now / 1000);
    expect(signingHeaders([keyA], 'evt_7', body, now)['tikops-signature']).toMatch(new RegExp(`^t=${t},v1=[0-9a-f]{64}$`));
    expect(signingHeaders([keyA, keyB], 'evt_7', body, now)['tikops-signature']).toMatch(new RegExp(`^t=${t},v1=[0-9a-f]{64},v1=[0-9a-f]{64}$`));
  });

  it('verifies under the secret and refuses a changed body, another secret, a moved t or a stale time', () => {
    const header = signingHeaders([keyA, keyB], 'evt_7', body, now)['tikops-signature']!;
    expect(verifySignature(SECRET_A, header, body, now)).toBe(true);
    expect(verifySignature(SECRET_B, header, body, now)).toBe(true);
    expect(verifySignature(SECRET_A, header, `${body} `, now)).toBe(false);
    expect(verifySignature(formatSecret(Buffer.alloc(32, 3)), header, body, now)).toBe(false);
    expect(verifySignature(SECRET_A, header.replace(/^t=(\d+)/, (_m, t: string) => `t=${Number(t) + 1}`), body, now)).toBe(false);
    expect(verifySignature(SECRET_A, header, body, now + 301_000)).toBe(false);
    expect(verifySignature(SECRET_A, '', body, now)).toBe(false);
  });
});

describe('secrets', () => {
  it('are handed out as whsec_<base64> and read back to the same bytes', () => {
    expect(SECRET_A).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(parseSecret(SECRET_A)).toEqual(keyA);
  });
});

describe('the verification snippet in docs/webhooks.md', () => {
  it('agrees with the signer on good, tampered, stale and foreign signatures', async () => {
    const verify = await loadDocumentedVerifier();
    const h = signingHeaders([keyA, keyB], 'evt_7', body, now);
    expect(verify(SECRET_A, h, body, { nowMs: now })).toBe(true);
    expect(verify(SECRET_B, h, Buffer.from(body, 'utf8'), { nowMs: now })).toBe(true);
    expect(verify(SECRET_A, h, `${body} `, { nowMs: now })).toBe(false);
    expect(verify(SECRET_A, { ...h, 'webhook-id': 'evt_8' }, body, { nowMs: now })).toBe(false);
    expect(verify(SECRET_A, h, body, { nowMs: now + 301_000 })).toBe(false);
    expect(verify(formatSecret(Buffer.alloc(32, 3)), h, body, { nowMs: now })).toBe(false);
    expect(verify(SECRET_A, {}, body, { nowMs: now })).toBe(false);
    expect(verify(SECRET_A, { ...h, 'webhook-signature': 'v1,zz' }, body, { nowMs: now })).toBe(false);
  });
});

describe('WEBHOOK_SECRET_GRACE_SECONDS', () => {
  it('defaults to a day, allows 0 to 7 days, and production no longer needs a WEBHOOK_SECRET', () => {
    expect(loadConfig({}).webhook.secretGraceSeconds).toBe(86_400);
    expect(loadConfig({ WEBHOOK_SECRET_GRACE_SECONDS: '0' }).webhook.secretGraceSeconds).toBe(0);
    expect(() => loadConfig({ WEBHOOK_SECRET_GRACE_SECONDS: '604801' })).toThrow(ConfigError);
    const prod = { NODE_ENV: 'production', PUBLIC_URL: 'https://t.example', JWT_SECRET: 'p'.repeat(40), SIGNING_KEY: 's'.repeat(40), API_KEY_SECRET: 'k'.repeat(40), BACKUP_KEYS: `k:${Buffer.alloc(32).toString('base64')}`, METRICS_TOKEN: 'm'.repeat(20) };
    expect(loadConfig(prod).env).toBe('production');
  });
});
