import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { ALL_SCOPES, makeKey } from './support.js';

// The dashboard's sign-in (issue 11 item 2): a key exchanged for an httpOnly SameSite=Strict
// cookie bound to its scopes and revoked with it, CSRF on state-changing calls, sign-out.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

interface Signed {
  cookie: string;
  csrf: string;
  setCookie: string;
  body: any;
}

async function signIn(target: TestApp, credential: string): Promise<Signed> {
  const res = await target.request('POST', '/session', { body: { credential } });
  expect(res.status).toBe(201);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = /^(tikops_session=[^;]+)/.exec(setCookie)![1]!;
  return { cookie, csrf: res.body.csrf_token, setCookie, body: res.body };
}

const withCookie = (s: Signed, csrf = true, extra: Record<string, string> = {}): Record<string, string> => ({
  cookie: s.cookie,
  ...(csrf ? { 'x-csrf-token': s.csrf } : {}),
  ...extra,
});

describe('POST /session', () => {
  it('answers an httpOnly, SameSite=Strict cookie (not Secure outside production) with the key’s scopes', async () => {
    const key = await makeKey(app, 'org-session', ['sites:read', 'sites:write']);
    const s = await signIn(app, `Bearer ${key.secret}`);
    expect(s.setCookie).toMatch(/^tikops_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(s.body).toMatchObject({ org: 'org-session', actor: `key:${key.id}`, scopes: ['sites:read', 'sites:write'] });
    expect(s.setCookie).not.toContain(key.secret);
    const sites = await app.request('GET', '/site', { headers: withCookie(s, false) });
    expect(sites.status).toBe(200);
    const current = await app.request('GET', '/session', { headers: { cookie: s.cookie } });
    expect(current.body.session).toEqual(s.body);
  });

  it('marks the cookie Secure in production', async () => {
    const prod = await startApp({
      share: app,
      env: {
        NODE_ENV: 'production', PUBLIC_URL: 'https://tikops.example.net', API_KEY_SECRET: 'k'.repeat(40),
        BACKUP_KEYS: `k:${Buffer.alloc(32, 1).toString('base64')}`, METRICS_TOKEN: 'm'.repeat(20),
      },
    });
    try {
      const s = await signIn(prod, prod.token('org-prod'));
      expect(s.setCookie).toMatch(/; Secure$/);
    } finally {
      await prod.close();
    }
  });

  it('refuses an invalid credential with 401 and sets no cookie', async () => {
    for (const credential of ['not-a-token', `tko_${'A'.repeat(43)}`]) {
      const res = await app.request('POST', '/session', { body: { credential } });
      expect([res.status, res.body.code]).toEqual([401, 'token_invalid']);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('ends the session when a JWT’s exp comes first', async () => {
    const s = await signIn(app, jwt.sign({ org: 'org-session-jwt' }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 120 }));
    expect(Number(/Max-Age=(\d+)/.exec(s.setCookie)![1])).toBeLessThanOrEqual(120);
    expect(s.body.scopes).toEqual(ALL_SCOPES);
  });
});

describe('a session', () => {
  it('has exactly the scopes of its key', async () => {
    const key = await makeKey(app, 'org-session-scope', ['sites:read']);
    const s = await signIn(app, key.secret);
    const write = await app.request('POST', '/site', { headers: withCookie(s), body: { name: 'nope' } });
    expect([write.status, write.body.code]).toEqual([403, 'insufficient_scope']);
  });

  it('needs the CSRF token on every state-changing call, and only its own', async () => {
    const key = await makeKey(app, 'org-csrf', ['sites:read', 'sites:write']);
    const s = await signIn(app, key.secret);
    const other = await signIn(app, key.secret);
    const without = await app.request('POST', '/site', { headers: withCookie(s, false), body: { name: 'forged' } });
    expect([without.status, without.body.code]).toEqual([403, 'csrf_token_invalid']);
    const wrong = await app.request('POST', '/site', { headers: { cookie: s.cookie, 'x-csrf-token': other.csrf }, body: { name: 'forged' } });
    expect([wrong.status, wrong.body.code]).toEqual([403, 'csrf_token_invalid']);
    expect((await app.request('GET', '/site', { headers: withCookie(s, false) })).body).toEqual([]);
    const ok = await app.request('POST', '/site', { headers: withCookie(s), body: { name: 'real' } });
    expect(ok.status).toBe(201);
    // A bearer credential needs no CSRF token, cookie or not.
    expect((await app.request('POST', '/site', { token: key.secret, headers: { cookie: s.cookie }, body: { name: 'scripted' } })).status).toBe(201);
  });

  it('ends at once, on every API process, when its key is revoked', async () => {
    const other = await startApp({ share: app });
    try {
      const admin = await makeKey(app, 'org-session-revoke', ['keys:admin']);
      const key = await makeKey(app, 'org-session-revoke', ['sites:read']);
      const s = await signIn(app, key.secret);
      expect((await other.request('GET', '/site', { headers: withCookie(s, false) })).status).toBe(200);
      expect((await app.request('DELETE', `/api-keys/${key.id}`, { token: admin.secret })).status).toBe(200);
      const refused = await other.request('GET', '/site', { headers: withCookie(s, false) });
      expect([refused.status, refused.body.code]).toEqual([401, 'token_invalid']);
      expect(refused.body.message).toContain('session has ended');
      expect((await app.request('GET', '/session', { headers: { cookie: s.cookie } })).body).toEqual({ session: null });
    } finally {
      await other.close();
    }
  });

  it('signs out with its CSRF token, clearing the cookie; a dead session only clears it', async () => {
    const key = await makeKey(app, 'org-signout', ['sites:read']);
    const s = await signIn(app, key.secret);
    const forged = await app.request('DELETE', '/session', { headers: withCookie(s, false) });
    expect([forged.status, forged.body.code]).toEqual([403, 'csrf_token_invalid']);
    expect((await app.request('GET', '/site', { headers: withCookie(s, false) })).status).toBe(200);
    const out = await app.request('DELETE', '/session', { headers: withCookie(s) });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^tikops_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
    expect((await app.request('GET', '/site', { headers: withCookie(s, false) })).status).toBe(401);
    expect((await app.request('DELETE', '/session', { headers: withCookie(s) })).status).toBe(204);
    expect((await app.request('GET', '/session')).body).toEqual({ session: null });
    // The key itself still works: signing out ends the session, not the key.
    expect((await app.request('GET', '/site', { token: key.secret })).status).toBe(200);
  });
});
