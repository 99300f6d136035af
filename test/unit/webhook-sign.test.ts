import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { signatureHeader, verifySignature, webhookSecret } from '../../src/webhooks/sign.js';
import { loadDocumentedVerifier, WEBHOOK_SECRET } from '../webhooks/support.js';

const body = JSON.stringify({ id: 'evt_7', type: 'job.completed', data: { note: 'ünïcode ✓' } });
const now = Date.UTC(2026, 3, 20, 3, 14, 15);

describe('Tikops-Signature', () => {
  it('has the documented shape: t=<unix seconds>,v1=<64 hex>', () => {
    expect(signatureHeader(WEBHOOK_SECRET, body, now)).toMatch(new RegExp(`^t=${Math.floor(now / 1000)},v1=[0-9a-f]{64}$`));
  });

  it('verifies its own signature and refuses a changed body, another secret or a malformed header', () => {
    const header = signatureHeader(WEBHOOK_SECRET, body, now);
    expect(verifySignature(WEBHOOK_SECRET, header, body, now)).toBe(true);
    expect(verifySignature(WEBHOOK_SECRET, header, body.replace('7', '8'), now)).toBe(false);
    expect(verifySignature(`${WEBHOOK_SECRET}x`, header, body, now)).toBe(false);
    expect(verifySignature(WEBHOOK_SECRET, header.replace(/^t=\d+/, 't=abc'), body, now)).toBe(false);
    expect(verifySignature(WEBHOOK_SECRET, '', body, now)).toBe(false);
  });

  it('binds the timestamp: a moved t fails, and an old or future signature falls outside the window', () => {
    const header = signatureHeader(WEBHOOK_SECRET, body, now);
    const moved = header.replace(/^t=(\d+)/, (_m, t: string) => `t=${Number(t) + 1}`);
    expect(verifySignature(WEBHOOK_SECRET, moved, body, now)).toBe(false);
    expect(verifySignature(WEBHOOK_SECRET, header, body, now + 299_000)).toBe(true);
    expect(verifySignature(WEBHOOK_SECRET, header, body, now + 301_000)).toBe(false);
    expect(verifySignature(WEBHOOK_SECRET, header, body, now - 301_000)).toBe(false);
    expect(verifySignature(WEBHOOK_SECRET, header, body, now + 3_000_000, 3_600)).toBe(true);
  });

  it('accepts any of several v1 entries', () => {
    const [t, v1] = signatureHeader(WEBHOOK_SECRET, body, now).split(',');
    expect(verifySignature(WEBHOOK_SECRET, `${t},v1=${'0'.repeat(64)},${v1}`, body, now)).toBe(true);
  });
});

describe('the verification snippet in docs/webhooks.md', () => {
  it('agrees with the signer on good, tampered, stale and foreign signatures', async () => {
    const verify = await loadDocumentedVerifier();
    const header = signatureHeader(WEBHOOK_SECRET, body, now);
    expect(verify(WEBHOOK_SECRET, header, body, { nowMs: now })).toBe(true);
    expect(verify(WEBHOOK_SECRET, header, Buffer.from(body, 'utf8'), { nowMs: now })).toBe(true);
    expect(verify(WEBHOOK_SECRET, header, `${body} `, { nowMs: now })).toBe(false);
    expect(verify(WEBHOOK_SECRET, header, body, { nowMs: now + 301_000 })).toBe(false);
    expect(verify('another-secret-0123456789abcdef01234', header, body, { nowMs: now })).toBe(false);
    expect(verify(WEBHOOK_SECRET, undefined, body, { nowMs: now })).toBe(false);
    expect(verify(WEBHOOK_SECRET, 't=1,v1=zz', body, { nowMs: 1_000 })).toBe(false);
  });
});

describe('WEBHOOK_SECRET', () => {
  it('is the configured secret when set', () => {
    expect(webhookSecret(loadConfig({ WEBHOOK_SECRET }))).toBe(WEBHOOK_SECRET);
  });

  it('defaults outside production to a stable key derived from SIGNING_KEY, never SIGNING_KEY itself', () => {
    const signingKey = 's'.repeat(40);
    const derived = webhookSecret(loadConfig({ SIGNING_KEY: signingKey }));
    expect(derived).toBe(webhookSecret(loadConfig({ SIGNING_KEY: signingKey })));
    expect(derived).not.toBe(signingKey);
    expect(derived).not.toBe(webhookSecret(loadConfig({ SIGNING_KEY: 't'.repeat(40) })));
  });

  it('is required in production and must differ from SIGNING_KEY', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), SIGNING_KEY: 's'.repeat(40), API_KEY_SECRET: 'k'.repeat(40), PUBLIC_URL: 'https://tikops.example.net' };
    expect(() => loadConfig(prod)).toThrow(/WEBHOOK_SECRET/);
    expect(() => loadConfig({ ...prod, WEBHOOK_SECRET: 's'.repeat(40) })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_SECRET: 'short' })).toThrow(/WEBHOOK_SECRET/);
    expect(loadConfig({ ...prod, WEBHOOK_SECRET }).webhook.secret).toBe(WEBHOOK_SECRET);
  });
});
