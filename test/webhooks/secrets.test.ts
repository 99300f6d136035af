import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { formatSecret, parseSecret, verifySignature } from '../../src/webhooks/sign.js';
import { makeKey } from '../access/support.js';
import { buildSite, type BuiltSite } from '../factories.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { buildNotifiedJob, loadDocumentedVerifier, orgSecret, startReceiver, type Received, type Receiver, type VerifySnippet } from './support.js';

// Item 3 of issue 12: every org signs its deliveries with its own secret (Standard Webhooks
// headers, plus Tikops-Signature for one release); rotation keeps the old secret signing for a
// grace period. The clock is moved, never slept on.

const GRACE_SECONDS = 600;
let app: TestApp;
let worker: TestWorker;
let receiver: Receiver;
let verify: VerifySnippet;
let siteA: BuiltSite;
let siteB: BuiltSite;

beforeAll(async () => {
  app = await startApp({ env: { OUTBOUND_ALLOWLIST: '127.0.0.1/32', WEBHOOK_SECRET_GRACE_SECONDS: String(GRACE_SECONDS) } });
  worker = await startWorker(app);
  receiver = await startReceiver();
  verify = await loadDocumentedVerifier();
  siteA = await buildSite(app, 'org-whsec-a');
  siteB = await buildSite(app, 'org-whsec-b');
});
afterAll(async () => {
  await worker.close();
  await receiver.close();
  await app.close();
});

/** Creates a job with a notify_url and cancels it: exactly one delivery (job.cancelled); returns what arrived. */
async function oneDelivery(site: BuiltSite): Promise<Received> {
  const jobId = await buildNotifiedJob(app, site, `${receiver.url}/${site.org}`);
  expect((await app.request('DELETE', `/site/${site.id}/job/${jobId}`, { token: site.auth })).status).toBe(200);
  return eventually(() => Promise.resolve(receiver.requests.find((r) => r.json?.data?.job?.id === jobId)));
}

const signatures = (r: Received): string[] => r.standard['webhook-signature'].split(' ');

describe('per-organisation webhook secrets', () => {
  it('gives each organisation its own whsec_ secret, the same on every look, stored only sealed', async () => {
    const a = await orgSecret(app, siteA.auth);
    const b = await orgSecret(app, siteB.auth);
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(b).not.toBe(a);
    expect(await orgSecret(app, siteA.auth)).toBe(a);
    const row = await app.deps.db.webhookSecret.findUniqueOrThrow({ where: { orgId: 'org-whsec-a' } });
    expect(Buffer.from(row.secretEnc).includes(parseSecret(a))).toBe(false);
    expect(Buffer.from(row.secretEnc).toString('latin1')).not.toContain(a.slice('whsec_'.length));
  });

  it('signs every delivery with its own org secret only: org A cannot forge, or verify, org B deliveries', async () => {
    const [secretA, secretB] = [await orgSecret(app, siteA.auth), await orgSecret(app, siteB.auth)];
    const fromA = await oneDelivery(siteA);
    const fromB = await oneDelivery(siteB);
    // What a receiver using the Standard Webhooks library does.
    expect(new Webhook(secretA).verify(fromA.body, fromA.standard)).toMatchObject({ type: 'job.cancelled' });
    expect(new Webhook(secretB).verify(fromB.body, fromB.standard)).toMatchObject({ type: 'job.cancelled' });
    expect(() => new Webhook(secretA).verify(fromB.body, fromB.standard)).toThrow(/signature/i);
    expect(() => new Webhook(secretB).verify(fromA.body, fromA.standard)).toThrow(/signature/i);
    // A's receiver given B's delivery re-signed by whoever only knows A's secret: the headers of an
    // A delivery on B's body are refused by B's verifier.
    expect(verify(secretB, { ...fromA.standard }, fromB.body, { nowMs: app.clock() })).toBe(false);
    // The earlier header is per org as well.
    expect(verifySignature(secretA, fromA.signature, fromA.body, app.clock())).toBe(true);
    expect(verifySignature(secretB, fromA.signature, fromA.body, app.clock())).toBe(false);
    expect(signatures(fromA)).toHaveLength(1);
  });

  it('needs webhooks:admin to see or rotate the secret', async () => {
    const key = await makeKey(app, 'org-whsec-a', ['jobs:read', 'jobs:write', 'sites:read']);
    for (const [method, path] of [['GET', '/webhook-secret'], ['POST', '/webhook-secret/rotate']] as const) {
      const res = await app.request(method, path, { token: key.secret, ...(method === 'POST' ? { body: {} } : {}) });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'insufficient_scope', message: expect.stringContaining('webhooks:admin') });
    }
    const admin = await makeKey(app, 'org-whsec-a', ['webhooks:admin']);
    expect((await app.request('GET', '/webhook-secret', { token: admin.secret })).body.secret).toBe(await orgSecret(app, siteA.auth));
  });

  it('replaces a secret that no longer opens (SIGNING_KEY changed) instead of failing', async () => {
    const site = await buildSite(app, 'org-whsec-c');
    const stale = Buffer.alloc(32, 9);
    const sealedElsewhere = createSecretBox('another-signing-key-0123456789abcdef0123', 'webhook-secret').seal(stale, 'org:org-whsec-c');
    await app.deps.db.webhookSecret.create({ data: { orgId: 'org-whsec-c', secretEnc: new Uint8Array(sealedElsewhere) } });
    const res = await app.request('GET', '/webhook-secret', { token: site.auth });
    expect(res.status).toBe(200);
    expect(res.body.secret).not.toBe(formatSecret(stale));
    const d = await oneDelivery(site);
    expect(verify(res.body.secret, d.standard, d.body, { nowMs: app.clock() })).toBe(true);
  });
});

describe('POST /webhook-secret/rotate', () => {
  it('returns a new secret, signs with both during the grace period, and with the new one only after', async () => {
    const old = await orgSecret(app, siteA.auth);
    const secretB = await orgSecret(app, siteB.auth);
    const rotated = await app.request('POST', '/webhook-secret/rotate', { token: siteA.auth, body: {} });
    expect(rotated.status).toBe(200);
    const fresh: string = rotated.body.secret;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect(Date.parse(rotated.body.previous_valid_until) - Date.parse(rotated.body.rotated_at)).toBe(GRACE_SECONDS * 1000);
    expect(await orgSecret(app, siteA.auth)).toBe(fresh);
    // Org B is untouched.
    expect(await orgSecret(app, siteB.auth)).toBe(secretB);

    const during = await oneDelivery(siteA);
    expect(signatures(during)).toHaveLength(2);
    expect(during.signature.match(/v1=/g)).toHaveLength(2);
    expect(new Webhook(fresh).verify(during.body, during.standard)).toBeTruthy();
    expect(new Webhook(old).verify(during.body, during.standard)).toBeTruthy();
    expect(verifySignature(old, during.signature, during.body, app.clock())).toBe(true);

    app.clock.advance(GRACE_SECONDS * 1000 + 1000);
    const after = await oneDelivery(siteA);
    expect(signatures(after)).toHaveLength(1);
    expect(verify(fresh, after.standard, after.body, { nowMs: app.clock() })).toBe(true);
    expect(verify(old, after.standard, after.body, { nowMs: app.clock() })).toBe(false);
    expect(verifySignature(old, after.signature, after.body, app.clock())).toBe(false);
    expect((await app.request('GET', '/webhook-secret', { token: siteA.auth })).body.previous_valid_until).toBeNull();
  });

  it('ends the old secret at once with grace_seconds 0 (a leaked secret), and audits without the secret', async () => {
    const old = await orgSecret(app, siteB.auth);
    const res = await app.request('POST', '/webhook-secret/rotate', { token: siteB.auth, body: { grace_seconds: 0 } });
    expect(res.body.previous_valid_until).toBeNull();
    const d = await oneDelivery(siteB);
    expect(signatures(d)).toHaveLength(1);
    expect(verify(res.body.secret, d.standard, d.body, { nowMs: app.clock() })).toBe(true);
    expect(verify(old, d.standard, d.body, { nowMs: app.clock() })).toBe(false);

    const audit = await app.request('GET', '/audit?target=webhook_secret:org-whsec-b', { token: siteB.auth });
    const actions = audit.body.map((e: { action: string }) => e.action);
    expect(actions).toContain('webhook_secret.rotate');
    expect(actions).toContain('webhook_secret.reveal');
    expect(JSON.stringify(audit.body)).not.toContain(res.body.secret.slice('whsec_'.length, 20));
    expect(audit.body.find((e: { action: string }) => e.action === 'webhook_secret.rotate').summary).toEqual({ grace_seconds: 0 });
  });

  it('refuses an invalid grace period with 400', async () => {
    for (const body of [{ grace_seconds: -1 }, { grace_seconds: 604_801 }, { grace_seconds: 'soon' }, { other: 1 }]) {
      const res = await app.request('POST', '/webhook-secret/rotate', { token: siteA.auth, body });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('parameter_invalid');
    }
  });
});
