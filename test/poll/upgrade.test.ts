import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { sweepOffline } from '../../src/fleet/sweep.service.js';
import { startApp, type TestApp } from '../support/app.js';
import { deletePrefix } from '../support/redis.js';
import { buildJob, buildSite, parseWrapper, poll } from '../factories.js';

// An upgrade from the key layout before Redis Cluster support (keys without hash tags,
// docs/redis.md "Upgrading"): the new version ignores the old keys and rebuilds what it needs from
// PostgreSQL, so nothing is lost and nothing runs twice.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const WINDOW = 10 * 30_000;

/** Replaces this app's Redis state by what the old version left: the given keys, untagged. */
async function oldLayout(write: (prefix: string) => Promise<unknown>[]): Promise<void> {
  await deletePrefix(app.deps.redis, app.redisPrefix);
  await Promise.all(write(app.redisPrefix));
}

describe('upgrading from the unsharded key layout', () => {
  it('delivers a job the old version queued, once, and keeps the site in order', async () => {
    const site = await buildSite(app);
    const first = await buildJob(app, site, { needsAck: false, script: ':log info "first"' });
    const second = await buildJob(app, site, { needsAck: false, script: ':log info "second"' });
    const r = app.deps.redis;
    await oldLayout((p) => [
      r.hset(`${p}site:${site.id}`, 'tv', 1, 'org', 'org-a'),
      r.rpush(`${p}q:${site.id}`, `${first.id}/0`, `${second.id}/0`),
      r.zadd(`${p}seen`, app.clock(), site.id),
    ]);
    expect(parseWrapper(await poll(app, site)).token).toBe(first.token);
    expect(parseWrapper(await poll(app, site)).token).toBe(second.token);
    expect(await poll(app, site)).toBe('');
    for (const job of [first, second]) {
      const res = await app.request('GET', `/site/${site.id}/job/${job.id}`, { token: site.auth });
      expect(res.body).toMatchObject({ status: 'completed' });
    }
  });

  it("still takes a site offline that stopped polling before the upgrade (the old sweep mark is not trusted)", async () => {
    const site = await buildSite(app);
    await poll(app, site);
    await drainSamples(app.deps);
    const r = app.deps.redis;
    // The old sweep had handled everything up to now; the site's last-seen score is in the old `seen`.
    await oldLayout((p) => [r.set(`${p}seen:mark`, String(app.clock())), r.zadd(`${p}seen`, app.clock(), site.id)]);
    app.clock.advance(WINDOW * 2);
    // (The previous test's site went quiet too: count this one by its fault.)
    expect((await sweepOffline(app.deps))?.offline).toBeGreaterThanOrEqual(1);
    const faults = (await app.request('GET', `/site/${site.id}/faults`, { token: site.auth })).body;
    expect(faults.map((f: { type: string }) => f.type)).toEqual(['site_offline']);
  });
});
