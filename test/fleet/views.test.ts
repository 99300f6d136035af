import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { sweepOffline } from '../../src/fleet/sweep.service.js';
import { buildJob, buildSite, poll } from '../factories.js';
import { startApp, type Reply, type TestApp } from '../support/app.js';

// Fleet-wide views: the org's faults and jobs across all its sites, newest first, filtered and
// paged, never showing another org's.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const WINDOW = 10 * 30_000;

/** Every page of `path` (following X-Next-Cursor), as `token` sees it. */
async function allPages(path: string, token: string): Promise<any[]> {
  const out: any[] = [];
  let next: string | null = path;
  while (next) {
    const res: Reply = await app.request('GET', next, { token });
    expect(res.status, res.text).toBe(200);
    out.push(...res.body);
    const link: string | null = res.headers.get('x-next-cursor');
    next = link ? `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(link)}` : null;
  }
  return out;
}

describe('GET /faults', () => {
  it("lists the org's faults across its sites, newest first, by status, type and site", async () => {
    const a1 = await buildSite(app, 'org-a', { name: 'North' });
    const a2 = await buildSite(app, 'org-a', { name: 'South' });
    const b1 = await buildSite(app, 'org-b', { name: 'Elsewhere' });
    for (const s of [a1, a2, b1]) await poll(app, s);
    app.clock.advance(WINDOW + 1_000);
    await sweepOffline(app.deps);
    await poll(app, a2); // South is back: its outage resolves.
    app.clock.advance(1_000);
    await poll(app, a2, 'uptime=5s;cpu-load=1'); // … after a reboot (uptime went backwards).
    await drainSamples(app.deps);

    const faults = await allPages('/faults?limit=1', a1.auth);
    expect(faults.every((f) => f.site_id === a1.id || f.site_id === a2.id)).toBe(true);
    const offline = faults.filter((f) => f.type === 'site_offline');
    expect(offline.map((f) => f.site_id).sort()).toEqual([a1.id, a2.id].sort());
    const created = faults.map((f) => Date.parse(f.created_at));
    expect(created).toEqual([...created].sort((x, y) => y - x));

    const open = (await app.request('GET', '/faults?status=unresolved', { token: a1.auth })).body;
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ site_id: a1.id, type: 'site_offline', message: 'Site Offline: North' });
    const south = (await app.request('GET', `/faults?site=${a2.id}&type=site_offline`, { token: a1.auth })).body;
    expect(south).toHaveLength(1);
    expect(south[0].status).toBe('resolved');
    const elsewhere = (await app.request('GET', `/faults?site=${b1.id}`, { token: a1.auth })).body;
    expect(elsewhere).toEqual([]);
    expect((await app.request('GET', '/faults?type=nope', { token: a1.auth })).status).toBe(400);
  });
});

describe('GET /jobs', () => {
  it("lists the org's jobs across its sites, newest first, by status, site and time", async () => {
    const org = `org-jobs-${Date.now()}`;
    const s1 = await buildSite(app, org);
    const s2 = await buildSite(app, org);
    const other = await buildSite(app, `${org}-other`);
    const j1 = await buildJob(app, s1);
    const j2 = await buildJob(app, s2);
    app.clock.advance(60_000);
    const since = new Date(app.clock()).toISOString();
    const j3 = await buildJob(app, s1);
    await buildJob(app, other);
    await poll(app, s2); // j2 is delivered (needs an acknowledgement, so it stays delivered)

    const all = await allPages('/jobs?limit=2', s1.auth);
    expect(all.map((j) => j.id)).toEqual([j3.id, j2.id, j1.id]);
    const queued = (await app.request('GET', '/jobs?status=queued', { token: s1.auth })).body;
    expect(queued.map((j: any) => j.id)).toEqual([j3.id, j1.id]);
    const ofS2 = (await app.request('GET', `/jobs?site=${s2.id}`, { token: s1.auth })).body;
    expect(ofS2.map((j: any) => ({ id: j.id, status: j.status }))).toEqual([{ id: j2.id, status: 'delivered' }]);
    const recent = (await app.request('GET', `/jobs?since=${encodeURIComponent(since)}`, { token: s1.auth })).body;
    expect(recent.map((j: any) => j.id)).toEqual([j3.id]);
    expect((await app.request('GET', '/jobs?since=yesterday', { token: s1.auth })).status).toBe(400);
  });
});
