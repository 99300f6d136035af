import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { sweepOffline } from '../../src/fleet/sweep.service.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildSite, poll, type BuiltSite } from '../factories.js';
import { ALL_SHARDS } from '../../src/redis/keys.js';

// Online/offline transitions and faults, driven by the test clock. One app per file: the sweep's
// mark and the `seen` set are shared by every site of the file.

let app: TestApp;
const INTERVAL = 30_000;
const WINDOW = 10 * INTERVAL;

beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const site = async (s: BuiltSite): Promise<any> => (await app.request('GET', `/site/${s.id}`, { token: s.auth })).body;
const faults = async (s: BuiltSite, q = ''): Promise<any[]> =>
  (await app.request('GET', `/site/${s.id}/faults${q}`, { token: s.auth })).body;
const ms = (iso: string): number => new Date(iso).getTime();

describe('online and offline', () => {
  it('shows a pulse while heartbeats arrive and loses it after 10 missed intervals', async () => {
    const s = await buildSite(app);
    expect(await site(s)).toMatchObject({ has_pulse: false, last_seen_at: null, last_seen_from: null });
    await poll(app, s);
    const seen = await site(s);
    expect(seen).toMatchObject({ has_pulse: true, last_seen_from: '127.0.0.1' });
    app.clock.advance(WINDOW - 5_000);
    expect((await site(s)).has_pulse).toBe(true);
    app.clock.advance(10_000);
    expect((await site(s)).has_pulse).toBe(false);
    expect((await site(s)).last_seen_at).toBe(seen.last_seen_at);
  });

  it('reports no availability (null, not 100) for a site that never checked in, and a figure from its first heartbeat', async () => {
    const s = await buildSite(app, 'org-a', { name: 'Unplugged' });
    const before = (await app.request('GET', `/site/${s.id}/metrics`, { token: s.auth })).body;
    expect(before).toEqual({ uptime_percentage: null, downtime_duration_seconds: 0, last_status: 'offline', last_seen_at: null });
    app.clock.advance(1_000);
    await poll(app, s);
    const after = (await app.request('GET', `/site/${s.id}/metrics`, { token: s.auth })).body;
    expect(after).toMatchObject({ uptime_percentage: 100, last_status: 'online' });
  });

  it('opens a site_offline fault backdated to the first missed heartbeat, and resolves it on the next one', async () => {
    const s = await buildSite(app, 'org-a', { name: 'Depot' });
    await poll(app, s);
    const last = ms((await site(s)).last_seen_at);
    app.clock.advance(WINDOW + 1_000);
    expect((await sweepOffline(app.deps))?.offline).toBeGreaterThanOrEqual(1);
    const [open] = await faults(s);
    expect(open).toMatchObject({ type: 'site_offline', status: 'unresolved', severity: 'critical', message: 'Site Offline: Depot', resolved_at: null });
    expect(ms(open.created_at)).toBe(last + INTERVAL);
    expect(ms(open.detected_at)).toBeGreaterThan(last + WINDOW);

    app.clock.advance(60_000);
    await poll(app, s);
    const back = ms((await site(s)).last_seen_at);
    expect((await drainSamples(app.deps)).recovered).toBe(1);
    const [resolved] = await faults(s);
    expect(resolved).toMatchObject({ id: open.id, status: 'resolved' });
    expect(ms(resolved.resolved_at)).toBe(back);
    expect(resolved.duration_seconds).toBe(Math.round((back - last - INTERVAL) / 1000));
    expect(await faults(s, '?status=unresolved')).toEqual([]);

    const metrics = (await app.request('GET', `/site/${s.id}/metrics`, { token: s.auth })).body;
    expect(metrics).toMatchObject({ last_status: 'online', downtime_duration_seconds: resolved.duration_seconds });
    expect(metrics.uptime_percentage).toBeGreaterThan(0);
    expect(metrics.uptime_percentage).toBeLessThan(100);
  });

  it('costs a sweep only the sites that went quiet since the previous one, however many are quiet', async () => {
    // Everything earlier in the file goes quiet first, so the counts below are this test's own.
    app.clock.advance(WINDOW * 2);
    await sweepOffline(app.deps);
    const fleet = await Promise.all(Array.from({ length: 60 }, (_, i) => buildSite(app, 'org-fleet', { name: `r${i}` })));
    await Promise.all(fleet.map((s) => poll(app, s)));
    app.clock.advance(WINDOW + 1_000);
    expect(await sweepOffline(app.deps)).toEqual({ scanned: 60, offline: 60, recovered: 0, forgotten: 0 });
    app.clock.advance(3_600_000);
    expect(await sweepOffline(app.deps)).toEqual({ scanned: 0, offline: 0, recovered: 0, forgotten: 0 });
    // One router comes back and goes quiet again: the next sweep reads it alone.
    await poll(app, fleet[0]!);
    await drainSamples(app.deps);
    app.clock.advance(WINDOW + 1_000);
    expect(await sweepOffline(app.deps)).toEqual({ scanned: 1, offline: 1, recovered: 0, forgotten: 0 });
    expect((await faults(fleet[0]!)).map((f) => f.status)).toEqual(['unresolved', 'resolved']);
  });

  it('opens one outage, however often the sweep runs', async () => {
    const s = await buildSite(app);
    await poll(app, s);
    app.clock.advance(WINDOW + 1_000);
    await Promise.all([sweepOffline(app.deps), sweepOffline(app.deps)]);
    await sweepOffline(app.deps);
    expect(await faults(s)).toHaveLength(1);
  });

  it('counts a quiet site as down before the sweep has noticed it', async () => {
    const s = await buildSite(app);
    await poll(app, s);
    const last = ms((await site(s)).last_seen_at);
    app.clock.advance(WINDOW + 60_000);
    const metrics = (await app.request('GET', `/site/${s.id}/metrics`, { token: s.auth })).body;
    expect(metrics.last_status).toBe('offline');
    const expected = (app.clock() - (last + INTERVAL)) / 1000;
    expect(Math.abs(metrics.downtime_duration_seconds - expected)).toBeLessThanOrEqual(2);
  });

  it('records a site_rebooted fault when uptime goes backwards', async () => {
    const s = await buildSite(app, 'org-a', { name: 'Edge' });
    await poll(app, s, 'uptime=1d02:15:38');
    app.clock.advance(INTERVAL);
    await poll(app, s, 'uptime=00:00:09');
    const rebootAt = ms((await site(s)).last_seen_at);
    expect((await drainSamples(app.deps)).reboots).toBe(1);
    const [f] = await faults(s);
    expect(f).toMatchObject({ type: 'site_rebooted', status: 'resolved', severity: 'low', message: 'Site Rebooted: Edge', duration_seconds: 0 });
    expect(ms(f.created_at)).toBe(rebootAt);
  });

  it('records at most one reboot fault a minute for a device token whose uptime keeps going up and down', async () => {
    const s = await buildSite(app, 'org-a', { name: 'Flapping' });
    // 20 polls a second apart, each alternate one claiming a reboot: ten "reboots" within 20 s.
    for (let i = 0; i < 20; i++) {
      await poll(app, s, i % 2 === 0 ? 'uptime=1d00:00:00' : 'uptime=00:00:05');
      app.clock.advance(1_000);
    }
    await drainSamples(app.deps);
    expect((await faults(s)).map((f) => f.type)).toEqual(['site_rebooted']);
    // A minute after the one recorded, the next reboot is recorded again.
    app.clock.advance(60_000);
    await poll(app, s, 'uptime=1d00:00:00');
    await poll(app, s, 'uptime=00:00:03');
    await drainSamples(app.deps);
    expect((await faults(s)).map((f) => f.type)).toEqual(['site_rebooted', 'site_rebooted']);
  });

  it('rebuilds its view from PostgreSQL when Redis lost the last-seen records', async () => {
    const s = await buildSite(app);
    await poll(app, s);
    await drainSamples(app.deps);
    // One key at a time: in a cluster each lies in its own hash slot.
    for (const key of [...ALL_SHARDS.map((n) => app.keys.seen(n)), app.keys.sweepMark]) await app.deps.redis.del(key);
    app.clock.advance(WINDOW * 2);
    expect((await sweepOffline(app.deps))?.offline).toBeGreaterThanOrEqual(1);
    expect((await faults(s)).map((f) => f.type)).toEqual(['site_offline']);
  });

  it("keeps each organisation's health to itself", async () => {
    const s = await buildSite(app);
    const other = app.token('org-b');
    for (const path of ['faults', 'stats', 'metrics']) {
      const res = await app.request('GET', `/site/${s.id}/${path}`, { token: other });
      expect(res.status, path).toBe(404);
      expect(res.body.code).toBe('site_not_found');
    }
  });
});
