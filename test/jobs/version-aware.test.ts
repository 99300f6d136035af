import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { createFakeHost } from '../../sim/routeros/fake-host.js';
import { createRouterState, runScript } from '../../sim/routeros/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildSite, poll, type BuiltSite } from '../factories.js';

// Item 2 of issue 13: jobs are accepted for the RouterOS version the site last reported, and a
// job handed to a router that cannot take it fails with a reason instead of running or completing.

const V6 = 'version=6.49.10 (long-term);uptime=1d;';
const V7 = 'version=7.16.2 (stable);uptime=1d;';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

async function siteOn(heartbeat: string | null, org: string): Promise<BuiltSite> {
  const site = await buildSite(app, org);
  if (heartbeat !== null) {
    expect(await poll(app, site, heartbeat)).toBe('');
    await drainSamples(app.deps);
  }
  return site;
}

const status = async (site: BuiltSite, id: string): Promise<any> => (await app.request('GET', `/site/${site.id}/job/${id}`, { token: site.auth })).body;
const events = async (site: BuiltSite, id: string): Promise<any[]> => (await app.request('GET', `/site/${site.id}/job/${id}/events`, { token: site.auth })).body;

/** A script whose wrapper is about `bytes` long. */
const scriptOf = (bytes: number): string => `:local a "${'x'.repeat(bytes)}"\n`;

describe('backups need RouterOS v7', () => {
  it('refuses a backup job for a site whose last heartbeat said v6, in every form', async () => {
    const site = await siteOn(V6, 'org-v6-backup');
    expect((await app.request('GET', `/site/${site.id}`, { token: site.auth })).body.software_version).toBe('6.49.10 (long-term)');
    const raw = await app.request('POST', `/site/${site.id}/job`, {
      token: site.auth,
      headers: { 'content-type': 'text/plain', 'x-idempotency-key': randomUUID(), 'x-description': 'a test job', 'x-backup': 'true' },
      body: '/system identity set name=x',
    });
    expect(raw.status).toBe(409);
    expect(raw.body).toMatchObject({ type: 'conflict_error', code: 'backup_requires_v7' });
    const json = await app.request('POST', `/api/asynchronous/${site.id}`, {
      token: site.auth,
      headers: { 'x-idempotency-key': randomUUID() },
      body: { description: 'a test job', script: '/system identity set name=x', make_backup: true },
    });
    expect(json.body.code).toBe('backup_requires_v7');
    const onDemand = await app.request('POST', `/site/${site.id}/backup`, { token: site.auth, headers: { 'x-idempotency-key': randomUUID() } });
    expect([onDemand.status, onDemand.body.code]).toEqual([409, 'backup_requires_v7']);
    // Without a backup the job is fine, and a v7 site takes a backup job.
    await buildJob(app, site, { script: '/system identity set name=x' });
    await buildJob(app, await siteOn(V7, 'org-v7-backup'), { backup: true });
  });

  it('accepts a backup job for a site never seen, then fails it at delivery when the router reports v6', async () => {
    const site = await siteOn(null, 'org-unseen-backup');
    const job = await buildJob(app, site, { backup: true, script: '/system identity set name=never' });
    expect(await poll(app, site, V6)).toBe('');
    expect(await status(site, job.id)).toMatchObject({ status: 'failed', delivered_at: null });
    expect((await events(site, job.id)).map((e) => [e.type, e.detail])).toEqual([
      ['created', null],
      ['failed', { reason: 'backup_requires_v7' }],
    ]);
    // The run slot is free: the next job is handed out at once.
    const next = await buildJob(app, site, { script: '/system identity set name=next' });
    expect(await poll(app, site, V6)).toContain('# tikops job');
    expect((await status(site, next.id)).status).toBe('delivered');
  });
});

describe('the wrapper limit is per RouterOS version', () => {
  it('refuses at creation a script too large for the v6 site, which a v7 site takes', async () => {
    const v6 = await siteOn(V6, 'org-v6-size');
    const big = scriptOf(app.config.v6WrapperLimitBytes);
    const res = await app.request('POST', `/site/${v6.id}/job`, {
      token: v6.auth,
      headers: { 'content-type': 'text/plain', 'x-idempotency-key': randomUUID(), 'x-description': 'a test job' },
      body: big,
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('script_too_large');
    expect(res.body.message).toContain(`limit ${app.config.v6WrapperLimitBytes} bytes on RouterOS v6`);
    await buildJob(app, await siteOn(V7, 'org-v7-size'), { script: big });
  });

  it.each([true, false])('fails a job too large for the v6 router it is delivered to, never completing it (needs ack: %s)', async (needsAck) => {
    const site = await siteOn(null, `org-unseen-size-${String(needsAck)}`);
    const job = await buildJob(app, site, { script: scriptOf(app.config.v6WrapperLimitBytes), needsAck });
    expect(await poll(app, site, V6)).toBe('');
    const got = await status(site, job.id);
    expect(got).toMatchObject({ status: 'failed', completed_at: null });
    expect((await events(site, job.id)).at(-1)).toMatchObject({ type: 'failed', detail: { reason: 'too_large_for_router' } });
  });

  it('delivers the largest script a v6 site accepts, and a simulated v6 router runs it whole', async () => {
    const site = await siteOn(V6, 'org-v6-fit');
    // Grow the script to the largest size the API accepts for this v6 site.
    let size = app.config.v6WrapperLimitBytes - 2000;
    let job: any;
    for (;;) {
      const res = await app.request('POST', `/site/${site.id}/job`, {
        token: site.auth,
        headers: { 'content-type': 'text/plain', 'x-idempotency-key': randomUUID(), 'x-description': 'a test job', 'x-needs-ack': 'false' },
        body: `:log info ("fit " . [:len "${'y'.repeat(size)}"])\n`,
      });
      if (res.status !== 201) break;
      if (job) await app.request('DELETE', `/site/${site.id}/job/${job.id}`, { token: site.auth });
      job = res.body;
      size += 50;
    }
    const wrapper = await poll(app, site, V6);
    expect(Buffer.byteLength(wrapper)).toBeLessThanOrEqual(app.config.v6WrapperLimitBytes);
    // What a v6 router keeps of `output=user` (4096 bytes, believed) holds the whole wrapper.
    const state = createRouterState({ version: '6.49.10 (long-term)' });
    const host = createFakeHost(() => ({ status: 200, body: wrapper }));
    await runScript(':global tikopsMore\n:local r [/tool fetch url="http://t/poll" output=user as-value]\n:local f [:parse ($r->"data")]\n$f', state, host, { v6: true });
    expect(state.log[0]).toEqual({ topic: 'info', message: `fit ${String(size - 50)}` });
  });
});
