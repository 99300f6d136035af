import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
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

const SCRIPT = '/ip address add address=192.168.77.1/24 interface=ether3 comment="audit-marker"';
const PASSWORD = 'Router-Password-Never-Logged-17';

interface Event {
  id: string;
  actor: string;
  action: string;
  target: string;
  request_id: string;
  source: string | null;
  summary: Record<string, unknown>;
}

async function auditOf(token: string, query = ''): Promise<Event[]> {
  const res = await app.request('GET', `/audit${query}`, { token });
  expect(res.status).toBe(200);
  return res.body;
}

describe('the audit log', () => {
  it('records every state-changing operator call with actor, request id, source and a redacted summary', async () => {
    const key = await makeKey(app, 'org-audit', ALL_SCOPES);
    const t = key.secret;
    let n = 0;
    const call = async (method: string, path: string, body?: string | object, headers: Record<string, string> = {}): Promise<any> => {
      const res = await app.request(method, path, { token: t, body, headers: { 'x-request-id': `req-${++n}`, ...headers } });
      expect([method, path, res.status < 300]).toEqual([method, path, true]);
      expect(res.headers.get('x-request-id')).toBe(`req-${n}`);
      return res.body;
    };
    const site = await call('POST', '/site', { name: 'Audited' });
    await call('POST', `/site/${site.id}/token`);
    await call('PUT', `/site/${site.id}/management`, { address: '100.64.1.2', username: 'tikops', password: PASSWORD });
    await call('DELETE', `/site/${site.id}/management`);
    const job = await call('POST', `/site/${site.id}/job`, SCRIPT, { 'content-type': 'text/plain', 'x-idempotency-key': randomUUID(), 'x-description': 'audited raw' });
    const asyncJob = await call('POST', `/api/asynchronous/${site.id}`, { description: 'audited json', script: SCRIPT, notify_url: 'https://hooks.example.com/x?token=hook-secret' });
    await call('DELETE', `/site/${site.id}/job/${job.id}`);
    const backup = await call('POST', `/site/${site.id}/backup`);
    const runbook = await call('POST', '/runbook', { name: 'audited runbook' });
    await call('DELETE', `/runbook/${runbook.id}`);
    const minted = await call('POST', '/api-keys', { name: 'minted', scopes: ['sites:read'] });
    await call('DELETE', `/api-keys/${minted.id}`);
    await call('PATCH', `/site/${site.id}`, { name: 'renamed', tags: ['core'] });
    await call('DELETE', `/site/${site.id}`);

    const events = (await auditOf(t, '?limit=500')).reverse();
    const mine = events.filter((e) => e.actor === `key:${key.id}`);
    expect(mine.map((e) => [e.action, e.target, e.request_id])).toEqual([
      ['site.create', `site:${site.id}`, 'req-1'],
      ['site.rotate_token', `site:${site.id}`, 'req-2'],
      ['site.management.set', `site:${site.id}`, 'req-3'],
      ['site.management.delete', `site:${site.id}`, 'req-4'],
      ['job.create', `job:${job.id}`, 'req-5'],
      ['job.create', `job:${asyncJob.data.request_id}`, 'req-6'],
      ['job.cancel', `job:${job.id}`, 'req-7'],
      ['backup.request', `site:${site.id}`, 'req-8'],
      ['runbook.create', `runbook:${runbook.id}`, 'req-9'],
      ['runbook.revoke', `runbook:${runbook.id}`, 'req-10'],
      ['api_key.create', `api_key:${minted.id}`, 'req-11'],
      ['api_key.revoke', `api_key:${minted.id}`, 'req-12'],
      ['site.update', `site:${site.id}`, 'req-13'],
      ['site.delete', `site:${site.id}`, 'req-14'],
    ]);
    for (const e of mine) expect(e.source).toMatch(/127\.0\.0\.1$/);
    const byAction = (a: string): Event => mine.find((e) => e.action === a)!;
    expect(byAction('job.create').summary).toMatchObject({ script_bytes: Buffer.byteLength(SCRIPT), description: 'audited raw' });
    expect(byAction('job.create').summary.script_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(mine.find((e) => e.request_id === 'req-6')!.summary.notify_origin).toBe('https://hooks.example.com');
    expect(byAction('site.management.set').summary).toMatchObject({ address: '100.64.1.2', username: 'tikops', password_set: true });
    expect(byAction('backup.request').summary).toEqual({ job_id: backup.job });
    const all = JSON.stringify(events);
    for (const secret of [PASSWORD, 'audit-marker', 'hook-secret', minted.secret, key.secret]) expect(all).not.toContain(secret);

    // Jobs name their creator.
    const stored = await app.request('GET', `/site/${site.id}/job/${job.id}`, { token: t });
    expect(stored.body.created_by).toBe(`key:${key.id}`);
  });

  it('records a JWT caller by its sub, and records no event for a call that changed nothing', async () => {
    const token = app.token('org-audit-jwt', { sub: 'alice@example.com' });
    const site = (await app.request('POST', '/site', { token, body: { name: 'by jwt' } })).body;
    const job = (await app.request('POST', `/api/asynchronous/${site.id}`, { token, body: { description: 'by jwt', script: ':log info x' } })).body;
    const got = await app.request('GET', `/site/${site.id}/job/${job.data.request_id}`, { token });
    expect(got.body.created_by).toBe('jwt:alice@example.com');
    const key = randomUUID();
    const headers = { 'x-idempotency-key': key, 'x-description': 'replayed', 'content-type': 'text/plain' };
    expect((await app.request('POST', `/site/${site.id}/job`, { token, headers, body: ':log info 1' })).status).toBe(201);
    expect((await app.request('POST', `/site/${site.id}/job`, { token, headers, body: ':log info 1' })).status).toBe(200);
    expect((await app.request('POST', `/site/${site.id}/job`, { token, headers, body: ':log info 2' })).status).toBe(409);
    await app.request('DELETE', `/site/${site.id}/management`, { token });
    await app.request('DELETE', `/site/${site.id}`, { token });
    await app.request('DELETE', `/site/${site.id}`, { token });
    const { rows } = await db.query('SELECT actor, action FROM audit_event WHERE org_id = $1 ORDER BY id', ['org-audit-jwt']);
    expect(rows).toEqual([
      { actor: 'jwt:alice@example.com', action: 'site.create' },
      { actor: 'jwt:alice@example.com', action: 'job.create' },
      { actor: 'jwt:alice@example.com', action: 'job.create' },
      { actor: 'jwt:alice@example.com', action: 'site.delete' },
    ]);
  });

  it('pages newest first with a cursor and filters by action and target', async () => {
    const token = app.token('org-audit-page');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await app.request('POST', '/site', { token, body: { name: `s${i}` } })).body.id);
    await app.request('POST', `/site/${ids[2]}/token`, { token });
    const seen: string[] = [];
    let path = '/audit?limit=2';
    for (;;) {
      const res = await app.request('GET', path, { token });
      expect(res.body.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.map((e: Event) => `${e.action} ${e.target}`));
      const next = res.headers.get('x-next-cursor');
      if (!next) break;
      path = `/audit?limit=2&cursor=${next}`;
    }
    expect(seen).toEqual([`site.rotate_token site:${ids[2]}`, ...ids.map((id) => `site.create site:${id}`).reverse()]);
    expect((await auditOf(token, '?action=site.rotate_token')).map((e) => e.target)).toEqual([`site:${ids[2]}`]);
    expect((await auditOf(token, `?target=site:${ids[2]}`)).map((e) => e.action)).toEqual(['site.rotate_token', 'site.create']);
    expect(await auditOf(app.token('org-audit-other'))).toEqual([]);
    const bad = await app.request('GET', '/audit?cursor=abc', { token });
    expect(bad.status).toBe(400);
  });
});

describe('audit rows share the transaction of the change', () => {
  it('writes neither the change nor its event when the event cannot be written', async () => {
    const token = app.token('org-atomic');
    const site = (await app.request('POST', '/site', { token, body: { name: 'atomic' } })).body;
    await db.query("ALTER TABLE audit_event ADD CONSTRAINT refuse_for_test CHECK (org_id <> 'org-atomic') NOT VALID");
    try {
      const attempts = [
        app.request('POST', '/site', { token, body: { name: 'never' }, raw: true }),
        app.request('POST', `/site/${site.id}/job`, { token, headers: { 'x-idempotency-key': randomUUID(), 'x-description': 'never', 'content-type': 'text/plain' }, body: ':log info x', raw: true }),
        app.request('POST', `/site/${site.id}/token`, { token, raw: true }),
        app.request('POST', '/api-keys', { token, body: { name: 'never', scopes: ['sites:read'] }, raw: true }),
      ];
      for (const res of await Promise.all(attempts)) expect(res.status).toBe(500);
    } finally {
      await db.query('ALTER TABLE audit_event DROP CONSTRAINT refuse_for_test');
    }
    const count = async (q: string): Promise<number> => (await db.query(q, ['org-atomic'])).rows[0].n;
    expect(await count('SELECT count(*)::int AS n FROM site WHERE org_id = $1')).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM job WHERE org_id = $1')).toBe(0);
    expect(await count('SELECT max(token_version)::int AS n FROM site WHERE org_id = $1')).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM api_key WHERE org_id = $1')).toBe(0);
  });

  it('writes no event when the change itself fails', async () => {
    const token = app.token('org-atomic-2');
    const site = (await app.request('POST', '/site', { token, body: { name: 'atomic 2' } })).body;
    await db.query(`CREATE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for test'; END $$`);
    await db.query('CREATE TRIGGER refuse_for_test BEFORE INSERT ON job FOR EACH ROW EXECUTE FUNCTION refuse_for_test()');
    try {
      const res = await app.request('POST', `/site/${site.id}/job`, { token, headers: { 'x-idempotency-key': randomUUID(), 'x-description': 'never', 'content-type': 'text/plain' }, body: ':log info x', raw: true });
      expect(res.status).toBe(500);
    } finally {
      await db.query('DROP TRIGGER refuse_for_test ON job');
      await db.query('DROP FUNCTION refuse_for_test()');
    }
    const { rows } = await db.query('SELECT action FROM audit_event WHERE org_id = $1', ['org-atomic-2']);
    expect(rows).toEqual([{ action: 'site.create' }]);
  });
});
