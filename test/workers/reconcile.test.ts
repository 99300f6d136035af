import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/jobs/reconcile.service.js';
import { sweepTimeouts } from '../../src/jobs/delivery.service.js';
import { shardOf } from '../../src/redis/keys.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildSite, callback, parseWrapper, poll } from '../factories.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const keys = (site: string) => ({ queue: app.keys.queue(site), run: app.keys.run(site) });

async function status(site: { id: string; auth: string }, jobId: string): Promise<any> {
  return (await app.request('GET', `/site/${site.id}/job/${jobId}`, { token: site.auth })).body;
}

describe('reconciler', () => {
  it('pushes again a queued job whose Redis push was lost, once', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site, { needsAck: false });
    await app.deps.redis.del(keys(site.id).queue); // as if the process died between commit and push
    expect(await poll(app, site)).toBe('');
    app.clock.advance(10_000);
    const report = await reconcile(app.deps);
    expect(report).toMatchObject({ repairedSites: 1, pushed: 1 });
    expect(await reconcile(app.deps)).toMatchObject({ pushed: 0 });
    expect(parseWrapper(await poll(app, site)).token).toBe(job.token);
    expect(await poll(app, site)).toBe('');
  });

  it('restores lost pushes in creation order, around the ones Redis still holds', async () => {
    const site = await buildSite(app);
    const [a, b, c] = [await buildJob(app, site, { needsAck: false }), await buildJob(app, site, { needsAck: false }), await buildJob(app, site, { needsAck: false })];
    const queue = keys(site.id).queue;
    // Only the middle job's push reached Redis.
    for (const entry of await app.deps.redis.lrange(queue, 0, -1)) {
      if (!entry.startsWith(b.id)) await app.deps.redis.lrem(queue, 0, entry);
    }
    app.clock.advance(10_000);
    expect(await reconcile(app.deps)).toMatchObject({ repairedSites: 1, pushed: 2 });
    const order = [parseWrapper(await poll(app, site)).token, parseWrapper(await poll(app, site)).token, parseWrapper(await poll(app, site)).token];
    expect(order).toEqual([a.token, b.token, c.token]);
    expect(await poll(app, site)).toBe('');
  });

  it('leaves jobs younger than the grace period to their creator', async () => {
    const site = await buildSite(app);
    await buildJob(app, site);
    await app.deps.redis.del(keys(site.id).queue);
    expect(await reconcile(app.deps)).toMatchObject({ pushed: 0 });
  });

  it('frees a run slot whose job PostgreSQL already settled, unblocking the site', async () => {
    const site = await buildSite(app);
    const first = await buildJob(app, site);
    const second = await buildJob(app, site);
    const w = parseWrapper(await poll(app, site));
    await callback(app, w.busy!);
    // The done callback commits in SQL but its Redis release is lost.
    const saved = await app.deps.redis.hgetall(keys(site.id).run);
    await callback(app, w.done!);
    await app.deps.redis.hset(keys(site.id).run, saved);
    await app.deps.redis.sadd(app.keys.inflight(shardOf(site.id)), site.id);
    expect(await poll(app, site)).toBe('');
    expect((await reconcile(app.deps))?.released).toBe(1);
    expect(parseWrapper(await poll(app, site)).token).toBe(second.token);
    expect((await status(site, first.id)).status).toBe('completed');
  });

  it('gives an in-flight job its run slot back so no second job starts beside it', async () => {
    const site = await buildSite(app);
    await buildJob(app, site);
    await buildJob(app, site);
    const w = parseWrapper(await poll(app, site));
    await callback(app, w.busy!);
    await app.deps.redis.del(keys(site.id).run);
    await reconcile(app.deps);
    expect(await poll(app, site)).toBe('');
  });

  it('runs once when two passes race (advisory lock)', async () => {
    const results = await Promise.all([reconcile(app.deps), reconcile(app.deps)]);
    expect(results.filter((r) => r === null).length).toBeGreaterThanOrEqual(1);
  });
});

describe('timeouts', () => {
  it('settles a claimed job with no final callback as timed_out after its timeout, then frees the site', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site);
    const next = await buildJob(app, site);
    const w = parseWrapper(await poll(app, site));
    await callback(app, w.busy!);
    expect(await sweepTimeouts(app.deps, 100)).toBe(0);
    app.clock.advance(job.timeout_seconds * 1000 + 1000);
    expect(await sweepTimeouts(app.deps, 100)).toBeGreaterThanOrEqual(1);
    const s = await status(site, job.id);
    expect(s.status).toBe('timed_out');
    expect(s.timed_out_at).not.toBeNull();
    expect((await callback(app, w.done!)).status).toBe(200);
    expect((await status(site, job.id)).status).toBe('timed_out');
    expect(parseWrapper(await poll(app, site)).token).toBe(next.token);
  });

  it('honours a per-job timeout', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site, { timeoutSeconds: 30 });
    expect(job.timeout_seconds).toBe(30);
    await callback(app, parseWrapper(await poll(app, site)).busy!);
    app.clock.advance(31_000);
    await sweepTimeouts(app.deps, 100);
    expect((await status(site, job.id)).status).toBe('timed_out');
  });

  it('settles a running job at once when the heartbeat shows the router rebooted', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site);
    const next = await buildJob(app, site);
    const w = parseWrapper(await poll(app, site, 'uptime=3d00:00:00'));
    await callback(app, w.busy!);
    expect(await poll(app, site, 'uptime=3d00:00:30')).toBe('');
    const after = parseWrapper(await poll(app, site, 'uptime=00:00:40'));
    expect(after.token).toBe(next.token);
    const s = await status(site, job.id);
    expect(s.status).toBe('timed_out');
    const events = await app.request('GET', `/site/${site.id}/job/${job.id}/events`, { token: site.auth });
    expect(events.body.at(-1)).toMatchObject({ type: 'timed_out', detail: { reason: 'router rebooted while the job was running' } });
  });

  it('hands an unclaimed job out again at once after a reboot, voiding the lost delivery', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site);
    const lost = parseWrapper(await poll(app, site, 'uptime=1d00:00:00'));
    const again = parseWrapper(await poll(app, site, 'uptime=00:01:00'));
    expect(again.token).toBe(job.token);
    expect((await callback(app, lost.busy!)).status).toBe(409);
    expect((await callback(app, again.busy!)).text).toBe('claimed');
  });

  it('honours a per-job lease', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site, { leaseSeconds: 10 });
    parseWrapper(await poll(app, site));
    app.clock.advance(5_000);
    expect(await poll(app, site)).toBe('');
    app.clock.advance(6_000);
    expect(parseWrapper(await poll(app, site)).token).toBe(job.token);
  });
});
