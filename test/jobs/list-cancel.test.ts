import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildSite, callback, parseWrapper, poll } from '../factories.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

describe('GET /site/{siteId}/job', () => {
  it('lists the site’s jobs newest first as a bare array', async () => {
    const site = await buildSite(app);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await buildJob(app, site, { description: `job number ${i}` }));
    const res = await app.request('GET', `/site/${site.id}/job`, { token: site.auth });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((j: { id: string }) => j.id)).toEqual(made.map((j) => j.id).reverse());
    expect(res.headers.get('x-next-cursor')).toBeNull();
  });

  it('pages with limit and cursor without skipping or repeating a job', async () => {
    const site = await buildSite(app);
    const made = [];
    for (let i = 0; i < 7; i++) made.push((await buildJob(app, site)).id);
    const seen: string[] = [];
    let path = `/site/${site.id}/job?limit=3`;
    for (;;) {
      const res = await app.request('GET', path, { token: site.auth });
      seen.push(...res.body.map((j: { id: string }) => j.id));
      const next = res.headers.get('x-next-cursor');
      if (!next) break;
      expect(res.headers.get('link')).toContain('rel="next"');
      path = `/site/${site.id}/job?limit=3&cursor=${next}`;
    }
    expect(seen).toEqual(made.reverse());
  });

  it('rejects a bad limit or cursor with 400 naming it', async () => {
    const site = await buildSite(app);
    for (const [q, name] of [['limit=0', 'limit'], ['limit=abc', 'limit'], ['limit=501', 'limit'], ['cursor=-1', 'cursor']]) {
      const res = await app.request('GET', `/site/${site.id}/job?${q}`, { token: site.auth });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(name);
    }
  });
});

describe('GET /site/{siteId}/job/{jobId}', () => {
  it('returns the job, and 404 for an unknown job or another site’s job', async () => {
    const site = await buildSite(app);
    const other = await buildSite(app);
    const job = await buildJob(app, site);
    expect((await app.request('GET', `/site/${site.id}/job/${job.id}`, { token: site.auth })).body.id).toBe(job.id);
    const unknown = await app.request('GET', `/site/${site.id}/job/${randomUUID()}`, { token: site.auth });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('job_not_found');
    const cross = await app.request('GET', `/site/${other.id}/job/${job.id}`, { token: site.auth });
    expect(cross.status).toBe(404);
  });
});

describe('DELETE /site/{siteId}/job/{jobId}', () => {
  it('cancels a queued job so it is never handed out, and records the event', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site);
    const res = await app.request('DELETE', `/site/${site.id}/job/${job.id}`, { token: site.auth });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(res.body.cancelled_at).not.toBeNull();
    expect(await poll(app, site)).toBe('');
    const again = await app.request('DELETE', `/site/${site.id}/job/${job.id}`, { token: site.auth });
    expect(again.status).toBe(200);
    const events = await app.request('GET', `/site/${site.id}/job/${job.id}/events`, { token: site.auth });
    expect(events.body.map((e: { type: string }) => e.type)).toEqual(['created', 'cancelled']);
  });

  it('answers 409 job_already_started once the job was handed to the router, or finished', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site);
    const w = parseWrapper(await poll(app, site));
    const res = await app.request('DELETE', `/site/${site.id}/job/${job.id}`, { token: site.auth });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: 'invalid_request_error', code: 'job_already_started' });
    await callback(app, w.busy!);
    await callback(app, w.done!);
    expect((await app.request('DELETE', `/site/${site.id}/job/${job.id}`, { token: site.auth })).status).toBe(409);
  });

  it('skips a cancelled job and hands out the next one', async () => {
    const site = await buildSite(app);
    const first = await buildJob(app, site);
    const second = await buildJob(app, site);
    await app.request('DELETE', `/site/${site.id}/job/${first.id}`, { token: site.auth });
    expect(parseWrapper(await poll(app, site)).token).toBe(second.token);
  });

  it('never lets a cancel and a delivery both win', async () => {
    for (let i = 0; i < 10; i++) {
      const site = await buildSite(app);
      const job = await buildJob(app, site);
      const [del, text] = await Promise.all([
        app.request('DELETE', `/site/${site.id}/job/${job.id}`, { token: site.auth }),
        poll(app, site),
      ]);
      expect(del.status === 200).toBe(text === '');
    }
  });
});
