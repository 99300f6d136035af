import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { buildSite, type BuiltSite } from '../factories.js';

// Job creation runs one statement when all is well (the insert checks the site itself) and looks
// up why only when it inserted nothing (src/jobs/jobs.service.ts createJob). These are the
// answers of that second path, which must be exactly the ones of a separate site check.

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

function create(site: BuiltSite, o: { key?: string; script?: string; backup?: boolean; path?: string; token?: string } = {}) {
  return app.request('POST', `/site/${o.path ?? site.id}/job`, {
    token: o.token ?? site.auth,
    headers: {
      'content-type': 'text/plain',
      'x-idempotency-key': o.key ?? randomUUID(),
      'x-description': 'a job',
      ...(o.backup ? { 'x-backup': 'true' } : {}),
    },
    body: o.script ?? ':log info "x"',
  });
}

const count = async (table: 'job' | 'audit_event', where: string, args: unknown[]): Promise<number> =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, args)).rows[0]!.n;

describe('job creation, the answers of the second look', () => {
  it("answers 404 for another organisation's site and writes nothing", async () => {
    const theirs = await buildSite(app, 'org-paths-theirs');
    const mine = await buildSite(app, 'org-paths-mine');
    const res = await create(theirs, { token: mine.auth });
    expect([res.status, res.body.code]).toEqual([404, 'site_not_found']);
    expect(await count('job', 'site_id = $1', [theirs.id])).toBe(0);
    expect(await count('audit_event', "org_id = $1 AND action = 'job.create'", ['org-paths-mine'])).toBe(0);
  });

  it('answers 409 site_deleting for a site being deleted, also to a replay of a key it accepted before', async () => {
    const site = await buildSite(app, 'org-paths-deleted');
    const key = randomUUID();
    expect((await create(site, { key })).status).toBe(201);
    await db.query('UPDATE site SET deleted_at = now() WHERE id = $1', [site.id]);
    for (const k of [randomUUID(), key]) {
      const res = await create(site, { key: k });
      expect([res.status, res.body.code]).toEqual([409, 'site_deleting']);
    }
    expect(await count('job', 'site_id = $1', [site.id])).toBe(1);
  });

  it('answers a replay with the same key 200 and the same job, writing nothing more', async () => {
    const site = await buildSite(app, 'org-paths-replay');
    const key = randomUUID();
    const first = await create(site, { key });
    const again = await create(site, { key });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
    expect(await count('job', 'site_id = $1', [site.id])).toBe(1);
    expect(await count('audit_event', "org_id = $1 AND action = 'job.create'", ['org-paths-replay'])).toBe(1);
    const events = await db.query('SELECT type FROM job_event WHERE job_id = $1', [first.body.id]);
    expect(events.rows).toEqual([{ type: 'created' }]);
  });

  it('answers 201 with the job exactly as it is stored', async () => {
    const site = await buildSite(app, 'org-paths-stored');
    const res = await create(site, { script: '/system identity print' });
    expect(res.status).toBe(201);
    const stored = await app.request('GET', `/site/${site.id}/job/${res.body.id}`, { token: site.auth });
    expect(res.body).toEqual(stored.body);
  });

  it('takes the site id in capitals, answering and storing it as PostgreSQL spells it', async () => {
    const site = await buildSite(app, 'org-paths-case');
    const key = randomUUID();
    const res = await create(site, { key, path: site.id.toUpperCase() });
    expect([res.status, res.body.site_id]).toEqual([201, site.id]);
    const replay = await create(site, { key });
    expect([replay.status, replay.body.id]).toEqual([200, res.body.id]);
    const audit = await db.query<{ summary: { site_id: string } }>("SELECT summary FROM audit_event WHERE target = $1", [`job:${res.body.id}`]);
    expect(audit.rows[0]!.summary.site_id).toBe(site.id);
  });

  it('leaves a version the insert cannot read plainly to the version parser: v6 behind a space, nothing readable', async () => {
    const spaced = await buildSite(app, 'org-paths-spaced');
    await db.query("UPDATE site SET software_version = ' 6.49.10 (long-term)' WHERE id = $1", [spaced.id]);
    const refused = await create(spaced, { backup: true });
    expect([refused.status, refused.body.code]).toEqual([409, 'backup_requires_v7']);
    const odd = await buildSite(app, 'org-paths-odd');
    await db.query("UPDATE site SET software_version = 'unknown' WHERE id = $1", [odd.id]);
    // Not a version: like a site never seen, v7's rules apply (src/routeros/version.ts majorOf).
    expect((await create(odd, { backup: true })).status).toBe(201);
    const v7 = await buildSite(app, 'org-paths-v7');
    await db.query("UPDATE site SET software_version = '7.16.2 (stable)' WHERE id = $1", [v7.id]);
    expect((await create(v7, { backup: true })).status).toBe(201);
  });
});
