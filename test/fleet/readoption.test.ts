import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouterState, runScript, runSchedulerEvent, settle, type RouterState } from '../../sim/routeros/index.js';
import { bootstrapCommand } from '../../src/routeros/bootstrap.js';
import { makeKey } from '../access/support.js';
import { adopt, buildJob, buildRunbook, parseWrapper, poll, readInstall, routerFacts } from '../factories.js';
import { startApp, type TestApp } from '../support/app.js';
import { appHost } from '../support/router-host.js';

// Item 6 of issue 12: a runbook token plus a router's serial number no longer take over a site.
// Re-adoption needs the site's current device token (the bootstrap sends the installed agent's),
// an operator's approval, or a site quiet for READOPTION_STALE_DAYS (docs/security.md#re-adoption).

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { READOPTION_STALE_DAYS: '7' } });
});
afterAll(async () => {
  await app.close();
});

let n = 0;
const serial = (): string => `RA${Date.now().toString(36).toUpperCase()}${n++}`;

/** A router adopted over HTTP: its runbook, serial, site id and device token. */
async function adopted(org: string): Promise<{ rb: Awaited<ReturnType<typeof buildRunbook>>; sn: string; siteId: string; token: string }> {
  const rb = await buildRunbook(app, org);
  const sn = serial();
  const { token } = readInstall((await adopt(app, rb.token, routerFacts({ 'serial-number': sn }))).text);
  const [site] = (await app.request('GET', '/site', { token: rb.auth })).body;
  return { rb, sn, siteId: site.id, token };
}

const getSite = async (auth: string, id: string): Promise<any> => (await app.request('GET', `/site/${id}`, { token: auth })).body;
const pollStatus = async (token: string): Promise<number> =>
  (await app.request('POST', '/poll', { headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: 'uptime=1s;' })).status;

describe('the hijack by re-adoption', () => {
  it('is refused: the attacker gets no token and no job, the real router keeps its token and its queued job', async () => {
    const { rb, sn, siteId, token } = await adopted('org-ra-attack');
    expect(await poll(app, { token })).toBe('');
    const job = await buildJob(app, { id: siteId, auth: rb.auth, token, name: '', org: '' }, { script: '/system identity set name=mine' });

    // The attacker has the runbook token (it is in every bootstrap command) and the serial (on the box).
    const attack = await adopt(app, rb.token, routerFacts({ 'serial-number': sn, name: 'evil' }));
    expect(attack.status).toBe(409);
    expect(attack.body).toMatchObject({ type: 'conflict_error', code: 'readoption_pending', message: expect.stringMatching(/approve/) });
    expect(attack.text).not.toContain(token);
    expect(attack.text).not.toContain(job.id);
    // A device token of another site of the org, or garbage, proves nothing either.
    const other = await adopted('org-ra-attack');
    for (const bearer of [other.token, 'not-a-token']) {
      expect((await adopt(app, rb.token, routerFacts({ 'serial-number': sn }), false, bearer)).status).toBe(409);
    }

    const site = await getSite(rb.auth, siteId);
    expect(site).toMatchObject({ identity: 'HQ-Router', readoption: { state: 'pending', requested_from: expect.any(String), approved_until: null } });
    // The real router is not locked out and still gets its job.
    const w = parseWrapper(await poll(app, { token }));
    expect(w.busy).toBeDefined();
    expect((await app.request('GET', `/site/${siteId}/job/${job.id}`, { token: rb.auth })).body.status).toBe('delivered');
  });
});

describe('a re-adoption with the site token', () => {
  it('proceeds at once, rotates the token and clears a pending request', async () => {
    const { rb, sn, siteId, token } = await adopted('org-ra-token');
    expect((await adopt(app, rb.token, routerFacts({ 'serial-number': sn }))).status).toBe(409);
    const again = await adopt(app, rb.token, routerFacts({ 'serial-number': sn }), false, token);
    expect(again.status).toBe(200);
    const next = readInstall(again.text).token;
    expect(await pollStatus(token)).toBe(401);
    expect(await pollStatus(next)).toBe(200);
    expect((await getSite(rb.auth, siteId)).readoption).toBeNull();
    // The rotated-out token no longer proves anything.
    expect((await adopt(app, rb.token, routerFacts({ 'serial-number': sn }), false, token)).status).toBe(409);
  });
});

describe.each([
  ['v6', '6.49.10 (long-term)'],
  ['v7', '7.16.2 (stable)'],
])('a simulated RouterOS %s router', (_dialect, version) => {
  const bootstrap = (rb: { token: string }, state: RouterState): Promise<unknown> =>
    runScript(bootstrapCommand(app.url, rb.token, app.config.routerTransport), state, appHost()).then(() => settle(state));

  it('sends its installed agent token when the bootstrap is pasted again; after a reset it is refused until approved', async () => {
    const rb = await buildRunbook(app, `org-ra-sim-${version}`);
    const router = createRouterState({ identity: 'sim-ra', version });
    await bootstrap(rb, router);
    const [site] = (await app.request('GET', '/site', { token: rb.auth })).body;
    // Pasted again on the working router: the bootstrap reads the agent's token and re-adopts.
    await bootstrap(rb, router);
    expect((await app.request('GET', '/site', { token: rb.auth })).body).toHaveLength(1);
    const host = appHost();
    await runSchedulerEvent('tikops-poll', router, host, { jobName: 'tikops-poll' });
    expect(host.requests.some((r) => r.url.endsWith('/poll'))).toBe(true);
    expect(router.log.some((l) => l.message.includes('poll request failed'))).toBe(false);

    // The same box reset to defaults (no agent, same serial): refused with a message saying what to do.
    const reset = createRouterState({ identity: 'sim-ra', version });
    await expect(bootstrap(rb, reset)).rejects.toThrow(/approve its re-adoption/);
    expect(reset.scripts).toEqual([]);
    expect((await getSite(rb.auth, site.id)).readoption.state).toBe('pending');

    const ok = await app.request('POST', `/site/${site.id}/approve-readoption`, { token: rb.auth });
    expect(ok.status).toBe(200);
    await bootstrap(rb, reset);
    expect(reset.scripts.map((s) => s.name)).toEqual(['tikops-poll']);
    // The approved router now holds the only working token: the old agent's polls are refused.
    const oldHost = appHost();
    await runSchedulerEvent('tikops-poll', router, oldHost, { jobName: 'tikops-poll' });
    expect(router.log.some((l) => l.message.includes('poll request failed'))).toBe(true);
  });
});

describe('POST /site/{siteId}/approve-readoption', () => {
  it('lets the next adoption within the hour proceed, once, and is audited', async () => {
    const { rb, sn, siteId, token } = await adopted('org-ra-approve');
    expect((await adopt(app, rb.token, routerFacts({ 'serial-number': sn }))).status).toBe(409);
    const res = await app.request('POST', `/site/${siteId}/approve-readoption`, { token: rb.auth });
    expect(res.status).toBe(200);
    expect(res.body.readoption).toMatchObject({ state: 'approved' });
    expect(Date.parse(res.body.readoption.approved_until) - app.clock()).toBeGreaterThan(3_590_000);

    const adoptedNow = await adopt(app, rb.token, routerFacts({ 'serial-number': sn }));
    expect(adoptedNow.status).toBe(200);
    expect(await pollStatus(token)).toBe(401);
    expect(await pollStatus(readInstall(adoptedNow.text).token)).toBe(200);
    expect((await getSite(rb.auth, siteId)).readoption).toBeNull();
    // The approval was used up.
    expect((await adopt(app, rb.token, routerFacts({ 'serial-number': sn }))).status).toBe(409);

    const audit = (await app.request('GET', `/audit?action=site.approve_readoption&target=site:${siteId}`, { token: rb.auth })).body;
    expect(audit).toHaveLength(1);
    expect(audit[0].summary).toMatchObject({ approved_until: res.body.readoption.approved_until, requested_from: expect.any(String) });
  });

  it('expires after an hour: the next adoption is refused again', async () => {
    const { rb, sn, siteId } = await adopted('org-ra-expire');
    await adopt(app, rb.token, routerFacts({ 'serial-number': sn }));
    expect((await app.request('POST', `/site/${siteId}/approve-readoption`, { token: rb.auth })).status).toBe(200);
    app.clock.advance(3_601_000);
    expect((await adopt(app, rb.token, routerFacts({ 'serial-number': sn }))).status).toBe(409);
    expect((await getSite(rb.auth, siteId)).readoption).toMatchObject({ state: 'pending', approved_until: null });
  });

  it('needs a pending request, sites:write, and the site in the caller organisation', async () => {
    const { rb, siteId } = await adopted('org-ra-rules');
    const none = await app.request('POST', `/site/${siteId}/approve-readoption`, { token: rb.auth });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('readoption_not_pending');
    const reader = await makeKey(app, 'org-ra-rules', ['sites:read']);
    const denied = await app.request('POST', `/site/${siteId}/approve-readoption`, { token: reader.secret });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('sites:write');
    expect((await app.request('POST', `/site/${siteId}/approve-readoption`, { token: app.token('org-ra-other') })).status).toBe(404);
    expect((await app.request('GET', `/audit?action=site.approve_readoption&target=site:${siteId}`, { token: rb.auth })).body).toEqual([]);
  });
});

describe('a site that went quiet', () => {
  it('is adopted again without token or approval once it has not polled for READOPTION_STALE_DAYS', async () => {
    const { rb, sn, siteId, token } = await adopted('org-ra-stale');
    expect(await poll(app, { token })).toBe('');
    app.clock.advance(6 * 86_400_000);
    expect((await adopt(app, rb.token, routerFacts({ 'serial-number': sn }))).status).toBe(409);
    app.clock.advance(1 * 86_400_000 + 60_000);
    const res = await adopt(app, rb.token, routerFacts({ 'serial-number': sn }));
    expect(res.status).toBe(200);
    expect((await getSite(rb.auth, siteId)).readoption).toBeNull();
    expect(await pollStatus(readInstall(res.text).token)).toBe(200);
  });
});
