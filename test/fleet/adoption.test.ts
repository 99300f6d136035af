import sql from 'sql-template-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rosUnquote } from '../../src/routeros/quote.js';
import { runbookTokenHash } from '../../src/tokens/runbook-token.js';
import { startApp, type TestApp } from '../support/app.js';
import { adopt, buildRunbook, poll, readInstall, routerFacts } from '../factories.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const serial = (): string => `SN${Math.random().toString(36).slice(2, 12).toUpperCase()}`;

describe('runbooks', () => {
  it('creates a runbook with a 22-character base62 token and a one-line bootstrap command', async () => {
    const rb = await buildRunbook(app, 'org-a', 'Branches');
    expect(rb.token).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(rb.bootstrap_command).not.toContain('\n');
    expect(rb.bootstrap_command).toBe(
      `/tool fetch url="${app.url}/bootstrap/${rb.token}" dst-path="tikops-bootstrap.rsc"; /import file-name="tikops-bootstrap.rsc"`,
    );
    const got = await app.request('GET', `/runbook/${rb.id}`, { token: rb.auth });
    expect(got.body).toMatchObject({ id: rb.id, name: 'Branches', token: rb.token, revoked_at: null });
    const list = await app.request('GET', '/runbook', { token: rb.auth });
    expect(list.body.map((r: { id: string }) => r.id)).toContain(rb.id);
  });

  it('stores only the SHA-256 of a runbook token, and still shows the bootstrap command', async () => {
    const rb = await buildRunbook(app, 'org-a', 'Hashed');
    const row = await app.deps.db.runbook.findUniqueOrThrow({ where: { id: rb.id } });
    expect(JSON.stringify(row)).not.toContain(rb.token);
    expect(row).toMatchObject({ tokenHash: runbookTokenHash(rb.token), legacyToken: null });
    // PostgreSQL's sha256() (the migration's backfill of older runbooks) agrees with the code's hash.
    const [pg] = await app.deps.sql.rows<{ h: string }>(sql`SELECT encode(sha256(convert_to(${rb.token}, 'UTF8')), 'hex') AS h`);
    expect(pg!.h).toBe(row.tokenHash);
    expect((await app.request('GET', `/runbook/${rb.id}`, { token: rb.auth })).body.bootstrap_command).toBe(rb.bootstrap_command);
    expect((await app.request('GET', `/bootstrap/${rb.token}`)).status).toBe(200);
  });

  it('keeps a runbook created before tokens were hashed working until it is revoked', async () => {
    const rb = await buildRunbook(app, 'org-a', 'Old');
    const legacy = '0LegacyRandomToken0000';
    // What the migration leaves for a runbook created earlier: its random token and that token's hash.
    await app.deps.sql.rows(
      sql`UPDATE runbook SET legacy_token = ${legacy}, token_hash = encode(sha256(convert_to(${legacy}, 'UTF8')), 'hex') WHERE id = ${rb.id}`,
    );
    const got = await app.request('GET', `/runbook/${rb.id}`, { token: rb.auth });
    expect(got.body.token).toBe(legacy);
    expect((await app.request('GET', `/bootstrap/${legacy}`)).status).toBe(200);
    expect((await app.request('GET', `/bootstrap/${rb.token}`)).status).toBe(404);
    await app.request('DELETE', `/runbook/${rb.id}`, { token: rb.auth });
    const row = await app.deps.db.runbook.findUniqueOrThrow({ where: { id: rb.id } });
    expect(row.legacyToken).toBeNull();
    expect((await app.request('GET', `/bootstrap/${legacy}`)).body.code).toBe('runbook_revoked');
  });

  it('keeps runbooks per organisation', async () => {
    const rb = await buildRunbook(app, 'org-a');
    const other = app.token('org-b');
    expect((await app.request('GET', `/runbook/${rb.id}`, { token: other })).status).toBe(404);
    expect((await app.request('DELETE', `/runbook/${rb.id}`, { token: other })).status).toBe(404);
    const list = await app.request('GET', '/runbook', { token: other });
    expect(list.body.map((r: { id: string }) => r.id)).not.toContain(rb.id);
  });

  it('serves the bootstrap script, which reports the facts to /adopt and imports the answer', async () => {
    const rb = await buildRunbook(app);
    const res = await app.request('GET', `/bootstrap/${rb.token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toContain(`:local tkAdopt "${app.url}/adopt/${rb.token}"`);
    expect(res.text).toContain('/import file-name="tikops-adopt.rsc"');
    expect((await app.request('GET', '/bootstrap/0000000000000000000000')).status).toBe(404);
    expect((await app.request('GET', '/bootstrap/not-a-token')).body.code).toBe('runbook_not_found');
  });

  it('stops adopting once revoked, and says so', async () => {
    const rb = await buildRunbook(app);
    const revoked = await app.request('DELETE', `/runbook/${rb.id}`, { token: rb.auth });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const again = await app.request('DELETE', `/runbook/${rb.id}`, { token: rb.auth });
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
    const res = await adopt(app, rb.token, routerFacts({ 'serial-number': serial() }));
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ type: 'invalid_request_error', code: 'runbook_revoked' });
    expect((await app.request('GET', `/bootstrap/${rb.token}`)).status).toBe(410);
  });
});

describe('POST /adopt/{runbookToken}', () => {
  it("creates the site in the runbook's organisation and answers with the agent installer", async () => {
    const rb = await buildRunbook(app, 'org-adopt');
    const sn = serial();
    const res = await adopt(app, rb.token, routerFacts({ 'serial-number': sn, name: 'Branch 7' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toContain('/system scheduler add name="tikops-poll" start-time=startup interval=30s');
    const sites = await app.request('GET', '/site', { token: rb.auth });
    expect(sites.body).toHaveLength(1);
    expect(sites.body[0]).toMatchObject({
      name: 'Branch 7',
      identity: 'Branch 7',
      serial_number: sn,
      model: 'RB5009UG+S+',
      software_version: '7.16.2 (stable)',
      routerboard: true,
      runbook_id: rb.id,
      has_pulse: false,
    });
    expect(sites.body[0].hardware_hash).toMatch(/^[0-9a-f]{40}$/);
    // The embedded device token is the site's: the router can check in with it.
    const { token } = readInstall(res.text);
    expect(await poll(app, { token })).toBe('');
  });

  it('finds a re-adopted router again by serial number, without a duplicate, and rotates its token', async () => {
    const rb = await buildRunbook(app, 'org-readopt');
    const sn = serial();
    const first = readInstall((await adopt(app, rb.token, routerFacts({ 'serial-number': sn }))).text);
    const second = readInstall((await adopt(app, rb.token, routerFacts({ 'serial-number': sn, name: 'Renamed', version: '7.17' }), false, first.token)).text);
    const sites = await app.request('GET', '/site', { token: rb.auth });
    expect(sites.body).toHaveLength(1);
    expect(sites.body[0]).toMatchObject({ name: 'HQ-Router', identity: 'Renamed', software_version: '7.17' });
    const old = await app.request('POST', '/poll', { headers: { authorization: `Bearer ${first.token}` }, body: 'uptime=5s' });
    expect(old.status).toBe(401);
    expect(await poll(app, { token: second.token })).toBe('');
  });

  it('keeps serial numbers per organisation', async () => {
    const sn = serial();
    const a = await buildRunbook(app, 'org-sn-a');
    const b = await buildRunbook(app, 'org-sn-b');
    await adopt(app, a.token, routerFacts({ 'serial-number': sn }));
    await adopt(app, b.token, routerFacts({ 'serial-number': sn }));
    expect((await app.request('GET', '/site', { token: a.auth })).body).toHaveLength(1);
    expect((await app.request('GET', '/site', { token: b.auth })).body).toHaveLength(1);
  });

  it('gives a router without a serial number (CHR) a site named after its identity', async () => {
    const rb = await buildRunbook(app, 'org-chr');
    const res = await adopt(app, rb.token, routerFacts({ 'serial-number': null, routerboard: null, name: 'chr-lab' }));
    expect(res.status).toBe(200);
    const [site] = (await app.request('GET', '/site', { token: rb.auth })).body;
    expect(site).toMatchObject({ name: 'chr-lab', serial_number: null, hardware_hash: null });
  });

  it('writes v7 syntax for 7.15+ and v6 syntax for older versions', async () => {
    const rb = await buildRunbook(app);
    const v7 = readInstall((await adopt(app, rb.token, routerFacts({ 'serial-number': serial(), version: '7.16.2 (stable)' }))).text).agent;
    const v6 = readInstall((await adopt(app, rb.token, routerFacts({ 'serial-number': serial(), version: '6.49.10 (long-term)' }))).text).agent;
    expect(v7).not.toContain(':onerror');
    expect(v6).not.toContain(':onerror');
    for (const agent of [v6, v7]) {
      expect(agent).toContain(`:local tkUrl "${app.url}/poll"`);
      expect(agent).toContain(':while ($tikopsMore > 0 && $tkRounds < 10) do={');
    }
  });

  it('carries a hostile identity only as data', async () => {
    const rb = await buildRunbook(app, 'org-hostile');
    const name = 'x" } on-error={}; /system reset-configuration; :put "$[:len 1]?';
    const res = await adopt(app, rb.token, routerFacts({ 'serial-number': serial(), name }));
    const put = /^:put (".*")$/m.exec(res.text)?.[1];
    expect(rosUnquote(put!)).toContain(`site "${name}"`);
    const [site] = (await app.request('GET', '/site', { token: rb.auth })).body;
    expect(site.identity).toBe(name);
  });

  it('rejects bad bodies with 400 in the error shape', async () => {
    const rb = await buildRunbook(app);
    const cases: [string, string, string][] = [
      ['garbage without pairs', 'heartbeat_invalid', 'body'],
      ['name=x;uptime=abc;version=7.16', 'heartbeat_invalid', 'uptime'],
      ['name=x;serial-number=A1', 'parameter_missing', 'version'],
      ['name=x;version=6.40.1', 'parameter_invalid', 'version'],
      ['name=x;version=unknown', 'parameter_invalid', 'version'],
    ];
    for (const [body, code, param] of cases) {
      const res = await adopt(app, rb.token, body);
      expect(res.status, body).toBe(400);
      expect(res.body.code, body).toBe(code);
      expect(res.body.message, body).toContain(param === 'body' ? 'malformed' : param);
    }
    expect((await adopt(app, '4KuKNp3QzpfwLcg3BUnn1a', routerFacts())).status).toBe(404);
  });
});

describe('unknown runbook tokens', () => {
  it('are remembered for a while, so repeating one costs no query', async () => {
    const unknown = 'Zz9Zz9Zz9Zz9Zz9Zz9Zz9Z';
    expect((await app.request('GET', `/bootstrap/${unknown}`)).body.code).toBe('runbook_not_found');
    expect(await app.deps.misses.has('runbook', runbookTokenHash(unknown))).toBe(true);
    // Were PostgreSQL asked, it would find this runbook: the remembered miss answers first.
    const rb = await buildRunbook(app);
    await app.deps.misses.add('runbook', [runbookTokenHash(rb.token)], 60);
    expect((await app.request('GET', `/bootstrap/${rb.token}`)).body.code).toBe('runbook_not_found');
  });
});
