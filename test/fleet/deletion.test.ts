import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneFleet } from '../../src/fleet/prune.service.js';
import { rosUnquote } from '../../src/routeros/quote.js';
import { startApp, type Reply, type TestApp } from '../support/app.js';
import { adopt, buildJob, buildRunbook, buildSite, parseWrapper, poll, readInstall, routerFacts, type BuiltSite } from '../factories.js';

// DELETE /site → a removal job → POST /notify/delete (or the grace period) → purge.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const pollStatus = async (token: string): Promise<number> =>
  (await app.request('POST', '/poll', { headers: { authorization: `Bearer ${token}` }, body: 'uptime=1m' })).status;
const notify = (token: string): Promise<Reply> =>
  app.request('POST', '/notify/delete', { headers: { authorization: `Bearer ${token}` }, body: 'site=x' });

/** The removal job's notify URL and token, read from its payload's literals. */
/** The URL the removal job confirms to; the header is the agent's own (`$tkHdr`), not in the job. */
function removalUrl(script: string): string {
  const m = /\/tool fetch url=(".*?[^\\]") http-method=post http-header-field=\$tkHdr /.exec(script);
  return rosUnquote(m![1]!);
}

async function deleteSite(s: BuiltSite): Promise<any> {
  const res = await app.request('DELETE', `/site/${s.id}`, { token: s.auth });
  expect(res.status).toBe(202);
  return res.body;
}

describe('DELETE /site/{siteId}', () => {
  it('marks the site, queues the removal job, and purges the site when the router confirms', async () => {
    const s = await buildSite(app);
    await buildJob(app, s, { needsAck: false, script: ':log info "before"' });
    const deleted = await deleteSite(s);
    expect(deleted.deleted_at).not.toBeNull();
    expect(new Date(deleted.purge_at).getTime() - new Date(deleted.deleted_at).getTime()).toBe(24 * 3_600_000);
    expect((await app.request('GET', `/site/${s.id}`, { token: s.auth })).body.deleted_at).toBe(deleted.deleted_at);

    // Jobs queued before still come first; then the removal job.
    expect(parseWrapper(await poll(app, s)).script).toBe(':log info "before"');
    const removal = parseWrapper(await poll(app, s)).script;
    expect(removal).toContain(`:if ([:typeof [:find $tkSrc "${s.id}"]] = "num")`);
    expect(removal).toMatch(/notify\/delete[\s\S]*\/system scheduler remove[\s\S]*\/system script remove/);
    expect(removalUrl(removal)).toBe(`${app.url}/notify/delete`);
    // The stored job holds no live credential: the router sends the token its agent already has.
    expect(removal).not.toContain(s.token);
    expect(removal).not.toMatch(/Bearer [A-Za-z0-9_-]/);

    const confirmed = await notify(s.token);
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toBe('ok');
    expect((await app.request('GET', `/site/${s.id}`, { token: s.auth })).status).toBe(404);
    expect((await app.request('GET', `/site/${s.id}/job`, { token: s.auth })).status).toBe(404);
    expect(await pollStatus(s.token)).toBe(401);
    expect(await app.deps.redis.exists(app.keys.site(s.id))).toBe(0);
  });

  it('purges a site whose router never confirms once the grace period is over', async () => {
    const s = await buildSite(app);
    await deleteSite(s);
    app.clock.advance(23 * 3_600_000);
    await pruneFleet(app.deps);
    expect(await pollStatus(s.token)).toBe(200);
    app.clock.advance(3_600_000 + 1_000);
    expect((await pruneFleet(app.deps))?.purgedSites).toBeGreaterThanOrEqual(1);
    expect((await app.request('GET', `/site/${s.id}`, { token: s.auth })).status).toBe(404);
    expect(await pollStatus(s.token)).toBe(401);
  });

  it('refuses new jobs for a site that is being deleted, in both creation forms', async () => {
    const s = await buildSite(app);
    await deleteSite(s);
    const raw = await app.request('POST', `/site/${s.id}/job`, {
      token: s.auth,
      headers: { 'x-idempotency-key': crypto.randomUUID(), 'x-description': 'too late' },
      body: ':log info "x"',
    });
    expect(raw.status).toBe(409);
    expect(raw.body.code).toBe('site_deleting');
    const json = await app.request('POST', `/api/asynchronous/${s.id}`, { token: s.auth, body: { description: 'too late', script: ':log info "x"' } });
    expect(json.body.code).toBe('site_deleting');
  });

  it('queues one removal job however often it is repeated', async () => {
    const s = await buildSite(app);
    const first = await deleteSite(s);
    const second = await deleteSite(s);
    expect(second.purge_at).toBe(first.purge_at);
    const jobs = (await app.request('GET', `/site/${s.id}/job`, { token: s.auth })).body;
    expect(jobs.map((j: any) => j.description)).toEqual(['Remove the tikops agent (site deleted)']);
  });

  it("refuses another organisation's site", async () => {
    const s = await buildSite(app);
    const res = await app.request('DELETE', `/site/${s.id}`, { token: app.token('org-b') });
    expect(res.status).toBe(404);
    expect((await app.request('GET', `/site/${s.id}`, { token: s.auth })).body.deleted_at).toBeNull();
  });
});

describe('POST /notify/delete', () => {
  it('is refused for a site that is not being deleted, and for revoked or forged tokens', async () => {
    const s = await buildSite(app);
    const res = await notify(s.token);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('site_not_deleting');
    await deleteSite(s);
    const rotated = await app.request('POST', `/site/${s.id}/token`, { token: s.auth });
    expect((await notify(s.token)).status).toBe(401);
    expect((await notify('nonsense')).body.code).toBe('device_token_invalid');
    expect((await notify(rotated.body.token)).status).toBe(200);
  });
});

describe('re-adopting a router whose site is being deleted', () => {
  it('purges the old site and starts a new one', async () => {
    const rb = await buildRunbook(app, 'org-readopt-del');
    const facts = routerFacts({ 'serial-number': 'DEL-READOPT' });
    const first = readInstall((await adopt(app, rb.token, facts)).text);
    const [old] = (await app.request('GET', '/site', { token: rb.auth })).body;
    await app.request('DELETE', `/site/${old.id}`, { token: rb.auth });
    const second = readInstall((await adopt(app, rb.token, facts)).text);
    const sites = (await app.request('GET', '/site', { token: rb.auth })).body;
    expect(sites).toHaveLength(1);
    expect(sites[0].id).not.toBe(old.id);
    expect(sites[0].deleted_at).toBeNull();
    expect(await pollStatus(first.token)).toBe(401);
    expect(await pollStatus(second.token)).toBe(200);
  });
});

describe('anonymous lookups that find nothing', () => {
  it("answers a purged site's device token from Redis, without asking PostgreSQL", async () => {
    const s = await buildSite(app);
    await deleteSite(s);
    expect((await notify(s.token)).status).toBe(200);
    expect(await pollStatus(s.token)).toBe(401);
    expect(await app.deps.misses.has('site', s.id)).toBe(true);
    // Were PostgreSQL asked, it would find this site: a remembered miss answers first.
    const live = await buildSite(app);
    await app.deps.redis.del(app.keys.site(live.id));
    await app.deps.misses.add('site', [live.id], 60);
    expect(await pollStatus(live.token)).toBe(401);
  });
});
