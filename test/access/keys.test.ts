import { createHmac } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, TEST_SIGNING_KEY, type TestApp } from '../support/app.js';
import { deriveKey } from '../../src/lib/crypto.js';
import { ALL_SCOPES, makeKey } from './support.js';

let app: TestApp;
let db: pg.Client;
beforeAll(async () => {
  app = await startApp();
  db = new pg.Client({ connectionString: app.dbUrl });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await app.close();
});

describe('POST /api-keys', () => {
  it('returns a tko_ secret of 32 random bytes once and stores only its HMAC-SHA256', async () => {
    const res = await app.request('POST', '/api-keys', { token: app.token('org-keys'), body: { name: 'deploy', scopes: ['sites:read'] } });
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(/^tko_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(res.body.secret.slice(4), 'base64url')).toHaveLength(32);
    expect(res.body).toMatchObject({ name: 'deploy', scopes: ['sites:read'], prefix: res.body.secret.slice(0, 12), revoked_at: null, last_used_at: null, created_by: 'jwt:-' });
    const { rows } = await db.query('SELECT * FROM api_key WHERE id = $1', [res.body.id]);
    // Development default: API_KEY_SECRET derived from SIGNING_KEY (src/keys/api-key.ts).
    const expected = createHmac('sha256', deriveKey(TEST_SIGNING_KEY, 'api-key')).update(res.body.secret).digest();
    expect(rows[0].key_hash).toEqual(expected);
    expect(JSON.stringify(rows[0])).not.toContain(res.body.secret.slice(12));
    const list = await app.request('GET', '/api-keys', { token: app.token('org-keys') });
    expect(list.body.map((k: { id: string }) => k.id)).toEqual([res.body.id]);
    expect(list.text).not.toContain(res.body.secret.slice(12));
  });

  it('refuses unknown or repeated scopes and an expiry in the past with 400', async () => {
    const token = app.token('org-keys-400');
    for (const body of [
      { name: 'x', scopes: ['sites:everything'] },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['sites:read', 'sites:read'] },
      { name: 'x', scopes: ['sites:read'], expires_at: new Date(Date.now() - 1000).toISOString() },
    ]) {
      const res = await app.request('POST', '/api-keys', { token, body });
      expect(res.status).toBe(400);
    }
    expect((await app.request('GET', '/api-keys', { token })).body).toEqual([]);
  });
});

describe('authenticating with an API key', () => {
  it('accepts the key as a Bearer credential, grants exactly its scopes and names a missing one', async () => {
    const reader = await makeKey(app, 'org-scope', ['sites:read']);
    expect((await app.request('GET', '/site', { token: reader.secret })).status).toBe(200);
    const write = await app.request('POST', '/site', { token: reader.secret, body: { name: 'nope' } });
    expect([write.status, write.body.code]).toEqual([403, 'insufficient_scope']);
    expect(write.body.message).toContain("'sites:write'");
    for (const [method, path] of [['GET', '/api-keys'], ['GET', '/audit']] as const) {
      const res = await app.request(method, path, { token: reader.secret });
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'insufficient_scope']);
    }
  });

  it('refuses malformed, unknown and expired keys with 401', async () => {
    for (const token of ['tko_short', `tko_${'A'.repeat(43)}`]) {
      const res = await app.request('GET', '/site', { token });
      expect([res.status, res.body.code]).toEqual([401, 'token_invalid']);
    }
    const soon = await makeKey(app, 'org-expiry', ['sites:read'], { expires_at: new Date(app.clock() + 60_000).toISOString() });
    expect((await app.request('GET', '/site', { token: soon.secret })).status).toBe(200);
    app.clock.advance(61_000);
    const expired = await app.request('GET', '/site', { token: soon.secret });
    expect([expired.status, expired.body.code, expired.body.message]).toEqual([401, 'token_invalid', 'The API key has expired.']);
  });

  it('records last use at most once a minute', async () => {
    const key = await makeKey(app, 'org-touch', ['sites:read', 'keys:admin']);
    const lastUsed = async (): Promise<Date | null> => (await db.query('SELECT last_used_at FROM api_key WHERE id = $1', [key.id])).rows[0].last_used_at;
    expect(await lastUsed()).toBeNull();
    await app.request('GET', '/site', { token: key.secret });
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await app.request('GET', '/site', { token: key.secret });
    expect(await lastUsed()).toEqual(first);
    app.clock.advance(60_000);
    await app.request('GET', '/site', { token: key.secret });
    expect((await lastUsed())!.getTime()).toBeGreaterThanOrEqual(first!.getTime() + 60_000);
    const listed = await app.request('GET', '/api-keys', { token: key.secret });
    expect(listed.body[0].last_used_at).not.toBeNull();
  });
});

describe('minting limits', () => {
  it('lets a key create keys only with scopes it holds itself, and only with keys:admin', async () => {
    const admin = await makeKey(app, 'org-mint', ['keys:admin', 'sites:read']);
    const narrower = await app.request('POST', '/api-keys', { token: admin.secret, body: { name: 'reader', scopes: ['sites:read'] } });
    expect(narrower.status).toBe(201);
    expect(narrower.body.created_by).toBe(`key:${admin.id}`);
    const wider = await app.request('POST', '/api-keys', { token: admin.secret, body: { name: 'writer', scopes: ['sites:read', 'jobs:write'] } });
    expect([wider.status, wider.body.code]).toEqual([403, 'insufficient_scope']);
    expect(wider.body.message).toContain("'jobs:write'");
    const escalate = await app.request('POST', '/api-keys', { token: admin.secret, body: { name: 'admin2', scopes: ALL_SCOPES } });
    expect(escalate.status).toBe(403);
    const noAdmin = await app.request('POST', '/api-keys', { token: narrower.body.secret, body: { name: 'x', scopes: ['sites:read'] } });
    expect([noAdmin.status, noAdmin.body.code]).toEqual([403, 'insufficient_scope']);
    const names = (await app.request('GET', '/api-keys', { token: admin.secret })).body.map((k: { name: string }) => k.name);
    expect(names.sort()).toEqual(['key keys:admin sites:read', 'reader']);
  });
});

describe('tenant isolation', () => {
  it("never shows or revokes another organisation's keys", async () => {
    const a = await makeKey(app, 'org-iso-a', ['keys:admin', 'sites:read', 'audit:read']);
    const b = await makeKey(app, 'org-iso-b', ['keys:admin', 'sites:read']);
    const listA = await app.request('GET', '/api-keys', { token: a.secret });
    expect(listA.body.map((k: { id: string }) => k.id)).toEqual([a.id]);
    const revoke = await app.request('DELETE', `/api-keys/${b.id}`, { token: a.secret });
    expect([revoke.status, revoke.body.code]).toEqual([404, 'api_key_not_found']);
    expect((await app.request('GET', '/site', { token: b.secret })).status).toBe(200);
    const audit = await app.request('GET', '/audit', { token: a.secret });
    expect(audit.body.map((e: { target: string }) => e.target)).toEqual([`api_key:${a.id}`]);
  });
});

describe('DELETE /api-keys/{keyId}', () => {
  it('revokes a key at once on every API process, and repeating it changes nothing', async () => {
    const other = await startApp({ share: app });
    try {
      const admin = await makeKey(app, 'org-revoke', ['keys:admin', 'sites:read']);
      const victim = await makeKey(app, 'org-revoke', ['sites:read']);
      expect((await other.request('GET', '/site', { token: victim.secret })).status).toBe(200);
      expect((await app.request('GET', '/site', { token: victim.secret })).status).toBe(200);
      const res = await app.request('DELETE', `/api-keys/${victim.id}`, { token: admin.secret });
      expect(res.status).toBe(200);
      expect(res.body.revoked_at).not.toBeNull();
      // The very next request, on the other process, is refused: no cache to wait for.
      const refused = await other.request('GET', '/site', { token: victim.secret });
      expect([refused.status, refused.body.code, refused.body.message]).toEqual([401, 'token_invalid', 'The API key is unknown or revoked.']);
      expect((await app.request('GET', '/site', { token: victim.secret })).status).toBe(401);
      const again = await other.request('DELETE', `/api-keys/${victim.id}`, { token: admin.secret });
      expect([again.status, again.body.revoked_at]).toEqual([200, res.body.revoked_at]);
      const { rows } = await db.query("SELECT count(*)::int AS n FROM audit_event WHERE action = 'api_key.revoke' AND target = $1", [`api_key:${victim.id}`]);
      expect(rows[0].n).toBe(1);
      // A key can revoke itself; then it is refused too.
      expect((await other.request('DELETE', `/api-keys/${admin.id}`, { token: admin.secret })).status).toBe(200);
      expect((await app.request('GET', '/api-keys', { token: admin.secret })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('stops a remembered key at once on every API process when it is revoked outside the API (the CLI, SQL)', async () => {
    const other = await startApp({ share: app });
    try {
      const key = await makeKey(app, 'org-revoke-sql', ['sites:read']);
      // Used twice on each process: verified once, then remembered (src/http/credential-cache.ts).
      for (const a of [app, other, app, other]) expect((await a.request('GET', '/site', { token: key.secret })).status).toBe(200);
      await db.query('UPDATE api_key SET revoked_at = now() WHERE id = $1', [key.id]);
      for (const a of [other, app]) {
        const refused = await a.request('GET', '/site', { token: key.secret });
        expect([refused.status, refused.body.code, refused.body.message]).toEqual([401, 'token_invalid', 'The API key is unknown or revoked.']);
      }
      // A key deleted outright is forgotten the same way.
      const gone = await makeKey(app, 'org-revoke-sql', ['sites:read']);
      for (const a of [app, other]) expect((await a.request('GET', '/site', { token: gone.secret })).status).toBe(200);
      await db.query('DELETE FROM api_key WHERE id = $1', [gone.id]);
      for (const a of [other, app]) expect((await a.request('GET', '/site', { token: gone.secret })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('never uses a remembered key past its expiry', async () => {
    const key = await makeKey(app, 'org-expiring', ['sites:read'], { expires_at: new Date(app.clock() + 60_000).toISOString() });
    for (let i = 0; i < 2; i++) expect((await app.request('GET', '/site', { token: key.secret })).status).toBe(200);
    app.clock.advance(61_000);
    const refused = await app.request('GET', '/site', { token: key.secret });
    expect([refused.status, refused.body.message]).toEqual([401, 'The API key has expired.']);
  });
});
