import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildSite, callback, parseWrapper, poll, type BuiltSite } from '../factories.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

async function delivered(): Promise<{ site: BuiltSite; job: any; w: ReturnType<typeof parseWrapper> }> {
  const site = await buildSite(app);
  const job = await buildJob(app, site);
  return { site, job, w: parseWrapper(await poll(app, site)) };
}

async function state(site: BuiltSite, jobId: string): Promise<any> {
  return (await app.request('GET', `/site/${site.id}/job/${jobId}`, { token: site.auth })).body;
}

async function eventTypes(site: BuiltSite, jobId: string): Promise<string[]> {
  const res = await app.request('GET', `/site/${site.id}/job/${jobId}/events`, { token: site.auth });
  return res.body.map((e: { type: string }) => e.type);
}

describe('GET /job/{jobId}/update', () => {
  it('refuses a bad, tampered or cross-job signature with 403', async () => {
    const { w } = await delivered();
    const other = await delivered();
    const u = new URL(w.done!);
    const tampered = [
      w.done!.replace(/signature=[^&]+/, 'signature=AAAA'),
      w.done!.replace('status=done', 'status=fail'),
      w.done!.replace(/attempt=\d+/, 'attempt=2'),
      `${u.origin}/job/${other.job.id}/update${u.search}`,
    ];
    for (const url of tampered) {
      const res = await callback(app, url);
      expect(res.status).toBe(403);
    }
  });

  it('rejects malformed parameters with 400 naming them', async () => {
    const { job } = await delivered();
    const res = await app.request('GET', `/job/${job.id}/update?status=maybe&attempt=1&signature=x`);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('status');
    const bad = await app.request('GET', '/job/not-a-uuid/update?status=done&attempt=1&signature=x');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('jobId');
  });

  it('moves busy → done and records each transition with its time', async () => {
    const { site, job, w } = await delivered();
    expect((await callback(app, w.busy!)).text).toBe('claimed');
    let s = await state(site, job.id);
    expect(s.status).toBe('started');
    expect(s.started_at).not.toBeNull();
    expect((await callback(app, w.done!)).text).toBe('ok');
    s = await state(site, job.id);
    expect(s.status).toBe('completed');
    expect(s.completed_at).not.toBeNull();
    expect(s.failed_at).toBeNull();
    expect(await eventTypes(site, job.id)).toEqual(['created', 'delivered', 'started', 'completed']);
  });

  it('treats repeated callbacks as harmless', async () => {
    const { site, job, w } = await delivered();
    expect((await callback(app, w.busy!)).text).toBe('claimed');
    // A second busy for the same delivery must not tell a re-run wrapper to run the payload again.
    expect((await callback(app, w.busy!)).text).toBe('already_claimed');
    expect((await callback(app, w.fail!)).status).toBe(200);
    expect((await callback(app, w.fail!)).status).toBe(200);
    expect((await state(site, job.id)).status).toBe('failed');
    expect(await eventTypes(site, job.id)).toEqual(['created', 'delivered', 'started', 'failed']);
  });

  it('never moves a job backwards on out-of-order callbacks', async () => {
    const { site, job, w } = await delivered();
    await callback(app, w.busy!);
    await callback(app, w.done!);
    expect((await callback(app, w.fail!)).status).toBe(200);
    expect((await callback(app, w.busy!)).status).toBe(409);
    const s = await state(site, job.id);
    expect(s.status).toBe('completed');
    expect(s.failed_at).toBeNull();
  });

  it('accepts done without busy', async () => {
    const { site, job, w } = await delivered();
    expect((await callback(app, w.done!)).text).toBe('ok');
    const s = await state(site, job.id);
    expect(s.status).toBe('completed');
    expect(s.started_at).toBeNull();
  });

  it('refuses to claim a job that was cancelled or is unknown', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site);
    await app.request('DELETE', `/site/${site.id}/job/${job.id}`, { token: site.auth });
    const url = app.deps.signer.url(job.id, 'busy', 1);
    expect((await callback(app, url)).status).toBe(409);
    const ghost = app.deps.signer.url('8b8b2e5e-1a19-4a19-8b19-1e1919191919', 'busy', 1);
    expect((await callback(app, ghost)).status).toBe(404);
  });
});
