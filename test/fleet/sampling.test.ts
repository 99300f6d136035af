import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildSite, poll, type BuiltSite } from '../factories.js';
import { byShard, SHARDS } from '../../src/redis/keys.js';

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

describe('backpressure when the drain is behind', () => {
  let full: TestApp;
  beforeAll(async () => {
    // 16 un-drained samples over SHARDS (16) shard streams: one per shard.
    full = await startApp({ env: { SAMPLE_INTERVAL_SECONDS: '0', SAMPLE_STREAM_MAX: String(SHARDS) } });
  });
  afterAll(async () => {
    await full.close();
  });

  it('never drops an un-drained sample: polls beyond the limit are coalesced per site and written once the drain catches up', async () => {
    const sites: BuiltSite[] = [];
    for (let i = 0; i < 25; i++) sites.push(await buildSite(full));
    const start = full.clock();
    for (const [i, s] of sites.entries()) await poll(full, s, hb({ cpu: i, uptime: '1000s' }));
    // The first site of each shard filled its shard's stream; the others are deferred. A second
    // round while the streams are still full defers every site, each one entry (coalesced).
    const firsts = new Set([...byShard(sites, (s) => s.id).values()].map((group) => group[0]!.id));
    expect(await full.deps.fleet.deferredCount()).toBe(25 - firsts.size);
    full.clock.advance(1_000);
    for (const [i, s] of sites.entries()) await poll(full, s, hb({ cpu: 100 + i, uptime: '1001s' }));
    expect(await full.deps.fleet.streamLength()).toBe(firsts.size);
    expect(await full.deps.fleet.deferredCount()).toBe(25);

    const report = await drainSamples(full.deps, { batch: 5 });
    expect(report.requeued).toBe(25);
    expect(await full.deps.fleet.deferredCount()).toBe(0);
    expect(await full.deps.fleet.streamLength()).toBe(0);
    const metrics = (await full.request('GET', '/metrics')).text;
    expect(metrics).toContain('tikops_sample_backlog');

    // Nothing was lost: each shard's first site has its first poll's sample and its latest one;
    // the rest one sample, their latest heartbeat.
    const cpu = async (s: BuiltSite): Promise<number[]> => {
      const q = `from=${new Date(start - 1_000).toISOString()}&to=${new Date(full.clock() + 1_000).toISOString()}`;
      return (await full.request('GET', `/site/${s.id}/stats?${q}`, { token: s.auth })).body.map((p: any) => p.cpu_load);
    };
    for (const [i, s] of sites.entries()) {
      expect(await cpu(s)).toEqual(firsts.has(s.id) ? [i, 100 + i] : [100 + i]);
    }
  });
});
