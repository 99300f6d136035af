import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildSite, poll, type BuiltSite } from '../factories.js';

// GET /fleet/summary (issue 9, item 5): sites online/offline, versions, open faults by type, the
// last 24 hours' jobs by state; one organisation's figures only.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

async function inventory(s: BuiltSite, version: string | null, seen: boolean, offline: boolean): Promise<void> {
  await app.deps.sql.rows(sql`
    UPDATE site SET software_version = ${version}, last_seen_at = ${seen ? new Date() : null}::timestamptz,
      offline_since = ${offline ? new Date() : null}::timestamptz
    WHERE id = ${s.id}::uuid`);
  if (offline) {
    await app.deps.sql.rows(sql`
      INSERT INTO site_fault (id, site_id, type, created_at) VALUES (${randomUUID()}::uuid, ${s.id}::uuid, 'site_offline', now())`);
  }
}

describe('GET /fleet/summary', () => {
  it("counts the org's sites, versions, open faults and the last 24 hours' jobs", async () => {
    const org = 'org-summary';
    const a = await buildSite(app, org);
    const b = await buildSite(app, org);
    const c = await buildSite(app, org);
    const d = await buildSite(app, org);
    await inventory(a, '7.16.2 (stable)', true, false);
    await inventory(b, '7.16.2 (stable)', true, true);
    await inventory(c, '6.49.10 (long-term)', true, false);
    await inventory(d, null, false, false);
    // A resolved fault is not open.
    await app.deps.sql.rows(sql`
      INSERT INTO site_fault (id, site_id, type, created_at, resolved_at) VALUES (${randomUUID()}::uuid, ${a.id}::uuid, 'site_rebooted', now(), now())`);
    await buildJob(app, a);
    await buildJob(app, a);
    const cancelled = await buildJob(app, b);
    expect((await app.request('DELETE', `/site/${b.id}/job/${cancelled.id}`, { token: b.auth })).status).toBe(200);
    await buildJob(app, c, { needsAck: false });
    await poll(app, c); // handed out without acknowledgement: completed
    const old = await buildJob(app, c);
    await app.deps.sql.rows(sql`UPDATE job SET created_at = now() - interval '25 hours' WHERE id = ${old.id}::uuid`);

    const res = await app.request('GET', '/fleet/summary', { token: app.token(org) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sites: { total: 4, online: 2, offline: 2 },
      versions: [
        { version: '7.16.2 (stable)', sites: 2 },
        { version: null, sites: 1 },
        { version: '6.49.10 (long-term)', sites: 1 },
      ],
      open_faults: { site_offline: 1, site_rebooted: 0 },
      jobs_last_24h: { queued: 2, delivered: 0, started: 0, completed: 1, failed: 0, cancelled: 1, timed_out: 0 },
    });
    expect(Date.parse(res.body.generated_at)).toBeGreaterThan(0);
  });

  it("shows nothing of another org's fleet", async () => {
    const res = await app.request('GET', '/fleet/summary', { token: app.token('org-summary-empty') });
    expect(res.body).toMatchObject({
      sites: { total: 0, online: 0, offline: 0 },
      versions: [],
      open_faults: { site_offline: 0, site_rebooted: 0 },
      jobs_last_24h: { queued: 0, completed: 0, cancelled: 0 },
    });
  });

  it('needs sites:read and jobs:read', async () => {
    const res = await app.request('GET', '/fleet/summary', { token: app.token('org-summary', { scope: 'sites:read' }) });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('insufficient_scope');
    const ok = await app.request('GET', '/fleet/summary', { token: app.token('org-summary', { scope: 'sites:read jobs:read' }) });
    expect(ok.status).toBe(200);
  });
});
