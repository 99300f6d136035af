import { generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { buildJob, buildSite } from '../factories.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

describe('sites', () => {
  it('creates a site with a device token, and lists and gets it', async () => {
    const auth = app.token('org-sites');
    const res = await app.request('POST', '/site', { token: auth, body: { name: 'HQ core' } });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('HQ core');
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{66}$/);
    const list = await app.request('GET', '/site', { token: auth });
    expect(list.body.map((s: { id: string }) => s.id)).toEqual([res.body.id]);
    const one = await app.request('GET', `/site/${res.body.id}`, { token: auth });
    expect(one.body).toMatchObject({ id: res.body.id, name: 'HQ core', created_at: res.body.created_at, updated_at: res.body.updated_at });
    expect(one.body.token).toBeUndefined();
  });

  it('rejects a missing or invalid name with 400', async () => {
    const auth = app.token('org-sites');
    for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 5 }]) {
      const res = await app.request('POST', '/site', { token: auth, body });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('name');
    }
  });
});

describe('tenant isolation', () => {
  it('hides every site and job route of one org from another with 404', async () => {
    const site = await buildSite(app, 'org-owner');
    const job = await buildJob(app, site);
    const intruder = app.token('org-intruder');
    const routes: [string, string, object?][] = [
      ['GET', `/site/${site.id}`],
      ['POST', `/site/${site.id}/token`],
      ['GET', `/site/${site.id}/job`],
      ['GET', `/site/${site.id}/job/${job.id}`],
      ['GET', `/site/${site.id}/job/${job.id}/events`],
      ['DELETE', `/site/${site.id}/job/${job.id}`],
    ];
    for (const [method, path] of routes) {
      const res = await app.request(method, path, { token: intruder });
      expect([method, path, res.status, res.body.code]).toEqual([method, path, 404, 'site_not_found']);
    }
    const create = await app.request('POST', `/site/${site.id}/job`, {
      token: intruder,
      headers: { 'x-idempotency-key': randomUUID(), 'x-description': 'intrude' },
      body: '/system reboot',
    });
    expect(create.status).toBe(404);
    const async = await app.request('POST', `/api/asynchronous/${site.id}`, {
      token: intruder,
      body: { description: 'intrude', script: '/system reboot' },
    });
    expect(async.status).toBe(404);
    expect((await app.request('GET', '/site', { token: intruder })).body).toEqual([]);
    const owner = await app.request('GET', `/site/${site.id}/job`, { token: site.auth });
    expect(owner.body).toHaveLength(1);
  });

  it('refuses a token without an org claim unless JWT_TENANT_FROM_SUB opts in to the sub claim', async () => {
    const token = jwt.sign({ sub: 'user-7' }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
    const refused = await app.request('POST', '/site', { token, body: { name: 'sub site' } });
    expect([refused.status, refused.body.code]).toEqual([401, 'token_invalid']);
    const subApp = await startApp({ env: { JWT_TENANT_FROM_SUB: 'true' }, share: app });
    try {
      const res = await subApp.request('POST', '/site', { token, body: { name: 'sub site' } });
      expect(res.status).toBe(201);
      const viaOrg = await app.request('GET', `/site/${res.body.id}`, { token: app.token('user-7') });
      expect(viaOrg.status).toBe(200);
    } finally {
      await subApp.close();
    }
  });
});

describe('operator authentication', () => {
  const cases: [string, () => string | null][] = [
    ['no token', () => null],
    ['garbage', () => 'not.a.jwt'],
    ['wrong secret', () => jwt.sign({ org: 'o' }, 'another-secret-another-secret-0000', { algorithm: 'HS256' })],
    ['expired', () => jwt.sign({ org: 'o', exp: Math.floor(Date.now() / 1000) - 60 }, TEST_JWT_SECRET, { algorithm: 'HS256' })],
    ['alg none', () => jwt.sign({ org: 'o' }, '', { algorithm: 'none' })],
    ['HS384 with the right secret', () => jwt.sign({ org: 'o' }, TEST_JWT_SECRET, { algorithm: 'HS384' })],
    [
      'RS256 when only a secret is configured',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return jwt.sign({ org: 'o' }, privateKey, { algorithm: 'RS256' });
      },
    ],
    ['no org or sub', () => jwt.sign({ role: 'x' }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })],
    ['no exp', () => jwt.sign({ org: 'o' }, TEST_JWT_SECRET, { algorithm: 'HS256' })],
    ['a lifetime over JWT_MAX_LIFETIME_SECONDS', () => jwt.sign({ org: 'o' }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '25h' })],
  ];
  it.each(cases)('rejects %s with 401', async (_name, make) => {
    const res = await app.request('GET', '/site', { token: make() });
    expect(res.status).toBe(401);
    expect(res.body.type).toBe('authentication_error');
  });
});

describe('asymmetric operator tokens', () => {
  it('accepts ES256 tokens signed by the configured public key and rejects HS256 ones made with it', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const es = await startApp({ env: { JWT_PUBLIC_KEY: pem, JWT_SECRET: '' } });
    try {
      const good = jwt.sign({ org: 'o' }, privateKey, { algorithm: 'ES256', expiresIn: '5m' });
      expect((await es.request('GET', '/site', { token: good })).status).toBe(200);
      const confused = jwt.sign({ org: 'o' }, pem, { algorithm: 'HS256' });
      expect((await es.request('GET', '/site', { token: confused })).status).toBe(401);
    } finally {
      await es.close();
    }
  });
});

describe('operator scopes', () => {
  const sign = (claims: object): string => jwt.sign({ org: 'org-scoped', ...claims }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });

  it('grants exactly the scopes of a space-separated scope claim: reads pass, a write is 403 naming its scope and changes nothing', async () => {
    const reader = sign({ scope: 'sites:read jobs:read' });
    const write = await app.request('POST', '/site', { token: reader, body: { name: 'not allowed' } });
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ type: 'permission_error', code: 'insufficient_scope' });
    expect(write.body.message).toContain("'sites:write'");
    expect((await app.request('GET', '/site', { token: reader })).body).toEqual([]);

    const site = await app.request('POST', '/site', { token: sign({ scope: 'sites:write' }), body: { name: 'scoped' } });
    expect(site.status).toBe(201);
    expect((await app.request('GET', `/site/${site.body.id}`, { token: reader })).status).toBe(200);
    const job = await app.request('POST', `/site/${site.body.id}/job`, {
      token: reader,
      headers: { 'x-idempotency-key': randomUUID(), 'x-description': 'needs jobs:write' },
      body: ':log info "x"',
    });
    expect([job.status, job.body.code]).toEqual([403, 'insufficient_scope']);
    expect(job.body.message).toContain("'jobs:write'");
    expect((await app.request('GET', `/site/${site.body.id}/job`, { token: reader })).body).toEqual([]);
  });

  it('accepts a scopes list, and treats a token without any scope claim as allowed everything', async () => {
    const listed = sign({ scopes: ['sites:read', 'sites:write'] });
    expect((await app.request('POST', '/site', { token: listed, body: { name: 'listed' } })).status).toBe(201);
    expect((await app.request('GET', '/runbook', { token: listed })).status).toBe(200);
    expect((await app.request('POST', '/runbook', { token: sign({ scopes: ['sites:read'] }), body: { name: 'x' } })).status).toBe(403);
    expect((await app.request('POST', '/runbook', { token: sign({}), body: { name: 'unscoped' } })).status).toBe(201);
  });

  it('refuses a malformed scope claim as an invalid token', async () => {
    for (const claims of [{ scope: 5 }, { scopes: [1, 2] }, { scopes: { a: 1 } }]) {
      const res = await app.request('GET', '/site', { token: sign(claims) });
      expect([res.status, res.body.code]).toEqual([401, 'token_invalid']);
    }
  });
});
