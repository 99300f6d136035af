import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildSite, poll, type BuiltSite } from '../factories.js';

// The poll script keeps a heartbeat as a sample for PostgreSQL at most once per
// SAMPLE_INTERVAL_SECONDS (default 5 minutes), and at once after a reboot or an inventory change;
// every poll still updates the site's presence. So PostgreSQL's work scales with samples kept, and
// one device token polling as fast as it can cannot make the database store more.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const MIN = 60_000;
const hb = (o: { cpu: number; uptime: string; version?: string; name?: string }): string =>
  `version=${o.version ?? '7.16.2 (stable)'};name=${o.name ?? 'r1'};cpu-load=${o.cpu};uptime=${o.uptime}`;

async function points(s: BuiltSite, from: number): Promise<number[]> {
  await drainSamples(app.deps);
  const q = `from=${new Date(from).toISOString()}&to=${new Date(app.clock() + 1_000).toISOString()}`;
  return (await app.request('GET', `/site/${s.id}/stats?${q}`, { token: s.auth })).body.map((p: any) => p.cpu_load);
}

describe('heartbeat sampling', () => {
  it('keeps one sample per interval however often the router polls, while presence stays live', async () => {
    const s = await buildSite(app);
    const start = app.clock();
    for (let i = 0; i < 20; i++) {
      await poll(app, s, hb({ cpu: i, uptime: `${100 + i}s` }));
      app.clock.advance(10_000); // a poll every 10 s for 200 s
    }
    expect(await points(s, start - 1_000)).toEqual([0]);
    const site = (await app.request('GET', `/site/${s.id}`, { token: s.auth })).body;
    // The clock runs on between steps, so the last poll was at least 190 s after the first.
    expect(Date.parse(site.last_seen_at)).toBeGreaterThanOrEqual(start + 19 * 10_000);

    app.clock.advance(2 * MIN); // 5 minutes after the first sample
    await poll(app, s, hb({ cpu: 42, uptime: '500s' }));
    expect(await points(s, start - 1_000)).toEqual([0, 42]);
  });

  it('keeps a reboot, a new version and a new identity at once', async () => {
    const s = await buildSite(app);
    const start = app.clock();
    await poll(app, s, hb({ cpu: 1, uptime: '1000s' }));
    app.clock.advance(10_000);
    await poll(app, s, hb({ cpu: 2, uptime: '5s' })); // uptime went backwards: a reboot
    app.clock.advance(10_000);
    await poll(app, s, hb({ cpu: 3, uptime: '15s', version: '7.17 (stable)' }));
    app.clock.advance(10_000);
    await poll(app, s, hb({ cpu: 4, uptime: '25s', version: '7.17 (stable)', name: 'r1-renamed' }));
    app.clock.advance(10_000);
    await poll(app, s, hb({ cpu: 5, uptime: '35s', version: '7.17 (stable)', name: 'r1-renamed' }));
    expect(await points(s, start - 1_000)).toEqual([1, 2, 3, 4]);
    const site = (await app.request('GET', `/site/${s.id}`, { token: s.auth })).body;
    expect(site).toMatchObject({ software_version: '7.17 (stable)', identity: 'r1-renamed' });
    const faults = (await app.request('GET', `/site/${s.id}/faults`, { token: s.auth })).body;
    expect(faults.map((f: any) => f.type)).toEqual(['site_rebooted']);
  });
});
