import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { startApp, TEST_SIGNING_KEY, type TestApp } from '../support/app.js';
import { buildManagement, buildSite } from '../factories.js';
import { ROUTER_CERT } from './fake-routeros.js';

let app: TestApp;
// Routers on private, CGNAT and ULA networks, opted in as a deployment would.
const ALLOW = '10.0.0.0/8,100.64.0.0/10,fc00::/7,127.0.0.1/32';
beforeAll(async () => {
  app = await startApp({ env: { MANAGEMENT_ALLOWLIST: ALLOW } });
});
afterAll(async () => {
  await app?.close();
});

const PASSWORD = 'Very-Secret-Router-Password-42';
const path = (siteId: string): string => `/site/${siteId}/management`;

async function storedRow(siteId: string): Promise<Record<string, any>> {
  const client = new pg.Client({ connectionString: app.dbUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT t.*, t::text AS whole FROM site_management t WHERE site_id = $1', [siteId]);
    return rows[0];
  } finally {
    await client.end();
  }
}

describe('PUT/GET/DELETE /site/{siteId}/management', () => {
  it('refuses private, CGNAT and ULA addresses unless MANAGEMENT_ALLOWLIST opts in, and internal ones always', async () => {
    const strict = await startApp({ share: app, env: { MANAGEMENT_ALLOWLIST: '' } });
    try {
      const site = await buildSite(strict);
      const put = (address: string, on: TestApp = strict) =>
        on.request('PUT', path(site.id), { token: site.auth, body: { address, username: 'tikops-express', password: PASSWORD } });
      for (const address of ['10.20.30.40', '100.64.12.7', 'fd00::7', '127.0.0.1', '169.254.169.254', '::ffff:10.0.0.1']) {
        const res = await put(address);
        expect(res.status, address).toBe(400);
        expect(res.body.code).toBe('parameter_invalid');
        expect(res.body.message).toContain('MANAGEMENT_ALLOWLIST');
      }
      expect((await put('router-7.vpn.example.net')).status).toBe(200); // judged when resolved
      expect((await put('10.20.30.40', app)).status).toBe(200);
      expect((await put('169.254.169.254', app)).status).toBe(400);
      expect((await put('127.0.0.2', app)).status).toBe(400);
    } finally {
      await strict.close();
    }
  });

  it('sets, shows (without the password), replaces and removes the endpoint', async () => {
    const site = await buildSite(app);
    expect((await app.request('GET', path(site.id), { token: site.auth })).body.code).toBe('management_not_configured');

    const set = await app.request('PUT', path(site.id), {
      token: site.auth,
      body: { address: '100.64.12.7', username: 'tikops-express', password: PASSWORD },
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      site_id: site.id,
      address: '100.64.12.7',
      port: 443,
      use_tls: true,
      verify_tls: true,
      ca_pem: null,
      username: 'tikops-express',
      has_password: true,
      poll_script_name: 'tikops-poll',
      created_at: expect.any(String),
      updated_at: set.body.created_at,
    });
    expect((await app.request('GET', path(site.id), { token: site.auth })).body).toEqual(set.body);

    app.clock.advance(60_000);
    const replaced = await buildManagement(app, site, { address: 'router-7.vpn.example.net', port: 8080, poll_script_name: 'poll2' });
    expect(replaced).toMatchObject({ address: 'router-7.vpn.example.net', port: 8080, use_tls: false, poll_script_name: 'poll2', created_at: set.body.created_at });
    expect(Date.parse(replaced.updated_at) - Date.parse(set.body.created_at)).toBeGreaterThanOrEqual(60_000);
    expect((await buildManagement(app, site, { port: undefined })).port).toBe(80);

    const removed = await app.request('DELETE', path(site.id), { token: site.auth });
    expect(removed.status).toBe(204);
    expect((await app.request('GET', path(site.id), { token: site.auth })).status).toBe(404);
    expect((await app.request('DELETE', path(site.id), { token: site.auth })).status).toBe(204);
  });

  it('keeps ca_pem and verify_tls as given', async () => {
    const site = await buildSite(app);
    const body = await buildManagement(app, site, { address: 'fd00::7', use_tls: true, verify_tls: false, ca_pem: ROUTER_CERT });
    expect(body).toMatchObject({ address: 'fd00::7', port: 443, use_tls: true, verify_tls: false, ca_pem: ROUTER_CERT });
  });
});

describe('the management password', () => {
  it('is never returned and is stored only sealed (AES-256-GCM, versioned, bound to the site)', async () => {
    const site = await buildSite(app);
    const put = await app.request('PUT', path(site.id), {
      token: site.auth,
      body: { address: '10.20.30.40', username: 'tikops-express', password: PASSWORD },
    });
    const get = await app.request('GET', path(site.id), { token: site.auth });
    for (const res of [put, get]) {
      expect(res.text).not.toContain(PASSWORD);
      expect(res.body).not.toHaveProperty('password');
      expect(res.body.has_password).toBe(true);
    }

    const row = await storedRow(site.id);
    expect(Object.keys(row)).not.toContain('password');
    expect(row.whole).not.toContain(PASSWORD);
    const sealed: Buffer = row.password_enc;
    expect(sealed.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(sealed[0]).toBe(1); // version byte
    expect(sealed.length).toBe(1 + 12 + Buffer.byteLength(PASSWORD) + 16);

    const box = createSecretBox(TEST_SIGNING_KEY, 'management-secret');
    expect(box.open(sealed, site.id)).toBe(PASSWORD);
    expect(box.open(sealed, randomUUID())).toBeNull(); // copied onto another site's row, it does not open
    expect(createSecretBox('another-signing-key-0123456789abcdef01', 'management-secret').open(sealed, site.id)).toBeNull();

    // A fresh nonce each time: setting the same password again stores different bytes.
    await app.request('PUT', path(site.id), { token: site.auth, body: { address: '10.20.30.40', username: 'tikops-express', password: PASSWORD } });
    expect(Buffer.compare((await storedRow(site.id)).password_enc, sealed)).not.toBe(0);
  });
});

describe('tenant isolation', () => {
  it("hides one org's management endpoint from another with 404, and leaves it in place", async () => {
    const site = await buildSite(app, 'org-owner');
    await buildManagement(app, site, { address: '10.1.1.1' });
    const intruder = app.token('org-intruder');
    const body = { address: '203.0.113.9', username: 'evil', password: 'evil-pass' };
    for (const [method, b] of [['GET'], ['PUT', body], ['DELETE']] as const) {
      const res = await app.request(method, path(site.id), { token: intruder, body: b });
      expect(res.status, method).toBe(404);
      expect(res.body.code, method).toBe('site_not_found');
    }
    const owner = await app.request('GET', path(site.id), { token: site.auth });
    expect(owner.body).toMatchObject({ address: '10.1.1.1', username: 'tikops-express' });
  });

  it('requires an operator token', async () => {
    const site = await buildSite(app);
    expect((await app.request('GET', path(site.id))).status).toBe(401);
  });
});

describe('validation', () => {
  const valid = { address: '10.0.0.1', username: 'tikops-express', password: 'pw' };

  // null: a value of the wrong JSON type; src/http/validate.ts currently reports those as
  // parameter_missing (zod 4 leaves `input` out of issues), so only the status and name are checked.
  it.each([
    ['port', { port: 0 }, 'parameter_invalid'],
    ['port', { port: 65_536 }, 'parameter_invalid'],
    ['port', { port: '443' }, null],
    ['port', { port: 44.3 }, null],
    ['username', { username: undefined }, 'parameter_missing'],
    ['username', { username: '' }, 'parameter_invalid'],
    ['username', { username: 'a:b' }, 'parameter_invalid'],
    ['password', { password: undefined }, 'parameter_missing'],
    ['password', { password: 'line\nbreak' }, 'parameter_invalid'],
    ['address', { address: undefined }, 'parameter_missing'],
    ['address', { address: 'https://10.0.0.1/' }, 'parameter_invalid'],
    ['address', { address: '10.0.0.1:8443' }, 'parameter_invalid'],
    ['address', { address: 'router.example.net/rest' }, 'parameter_invalid'],
    ['address', { address: '10.1' }, 'parameter_invalid'],
    ['address', { address: 'fe80::1%eth0' }, 'parameter_invalid'],
    ['use_tls', { use_tls: 'yes' }, null],
    ['ca_pem', { ca_pem: 'not a certificate' }, 'parameter_invalid'],
    ['ca_pem', { use_tls: false, ca_pem: ROUTER_CERT }, 'parameter_invalid'],
    ['poll_script_name', { poll_script_name: 'x; /system reset-configuration' }, 'parameter_invalid'],
    ['poll_script_name', { poll_script_name: 'tikops poll' }, 'parameter_invalid'],
  ])('rejects a bad %s (%j) with 400 (%s) naming it', async (param, patch, code) => {
    const site = await buildSite(app);
    const res = await app.request('PUT', path(site.id), { token: site.auth, body: { ...valid, ...patch } });
    expect(res.status).toBe(400);
    if (code !== null) expect(res.body.code).toBe(code);
    expect(res.body.message).toContain(`'${param}'`);
    expect((await app.request('GET', path(site.id), { token: site.auth })).status).toBe(404);
  });

  it('rejects unknown fields, a non-JSON body and a bad site id', async () => {
    const site = await buildSite(app);
    const extra = await app.request('PUT', path(site.id), { token: site.auth, body: { ...valid, api_port: 8728 } });
    expect(extra.status).toBe(400);
    const text = await app.request('PUT', path(site.id), { token: site.auth, body: 'address=10.0.0.1', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    const badId = await app.request('GET', path('not-a-uuid'), { token: site.auth });
    expect(badId.status).toBe(400);
    expect(badId.body.message).toContain('siteId');
  });
});
