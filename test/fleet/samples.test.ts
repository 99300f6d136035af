import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneFleet } from '../../src/fleet/prune.service.js';
import { insertBatch } from '../../src/fleet/samples.repo.js';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildSite, poll, routerFacts, type BuiltSite } from '../factories.js';

// The heartbeat write path: poll → Redis stream → batched drain into PostgreSQL. Every poll is a
// sample here (SAMPLE_INTERVAL_SECONDS=0); test/fleet/sampling.test.ts covers the interval.

let app: TestApp;
const HOUR = 3_600_000;

beforeAll(async () => {
  app = await startApp({ env: { SAMPLE_INTERVAL_SECONDS: '0' } });
});
afterAll(async () => {
  await app.close();
});

const site = async (s: BuiltSite): Promise<any> => (await app.request('GET', `/site/${s.id}`, { token: s.auth })).body;
const stats = async (s: BuiltSite, from: number, to: number): Promise<any[]> => {
  const q = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
  const res = await app.request('GET', `/site/${s.id}/stats?${q}`, { token: s.auth });
  expect(res.status).toBe(200);
  return res.body;
};
const streamLength = (): Promise<number> => app.deps.fleet.streamLength();

describe('the sample drain', () => {
  it('moves heartbeats into PostgreSQL in batches and empties the stream', async () => {
    const s = await buildSite(app);
    const start = app.clock();
    for (const cpu of [5, 7, 9]) {
      await poll(app, s, `cpu-load=${cpu};free-memory=${cpu}000000;free-hdd-space=123456789012;uptime=1d00:00:0${cpu}`);
      app.clock.advance(30_000);
    }
    expect(await streamLength()).toBeGreaterThanOrEqual(3);
    const report = await drainSamples(app.deps, { batch: 2 });
    expect(report.inserted).toBeGreaterThanOrEqual(3);
    expect(await streamLength()).toBe(0);
    const points = await stats(s, start - 1_000, app.clock());
    expect(points.map((p) => [p.cpu_load, p.memory_free, p.disk_free, p.uptime])).toEqual([
      [5, 5_000_000, 123_456_789_012, 86_405],
      [7, 7_000_000, 123_456_789_012, 86_407],
      [9, 9_000_000, 123_456_789_012, 86_409],
    ]);
  });

  it('updates the inventory when the router reports a change, and keeps what it stopped reporting', async () => {
    const s = await buildSite(app);
    await poll(app, s, routerFacts({ 'serial-number': 'INV-1', name: 'first', version: '7.15.3 (stable)' }));
    await drainSamples(app.deps);
    const before = await site(s);
    expect(before).toMatchObject({ identity: 'first', serial_number: 'INV-1', model: 'RB5009UG+S+', software_version: '7.15.3 (stable)' });
    app.clock.advance(1_000);
    await poll(app, s, 'name=second;version=7.16.2 (stable);uptime=00:05:00');
    await drainSamples(app.deps);
    const after = await site(s);
    expect(after).toMatchObject({ identity: 'second', serial_number: 'INV-1', model: 'RB5009UG+S+', software_version: '7.16.2 (stable)' });
    expect(after.updated_at > before.updated_at).toBe(true);
    app.clock.advance(1_000);
    await poll(app, s, 'name=second;version=7.16.2 (stable);uptime=00:05:30');
    await drainSamples(app.deps);
    expect((await site(s)).updated_at).toBe(after.updated_at);
  });

  it('stores reported values verbatim, whatever characters they hold', async () => {
    const s = await buildSite(app);
    for (const name of ['a,"b"\\{c} \'d\'', 'NULL', '}', 'Привет 🚀']) {
      app.clock.advance(1_000);
      await poll(app, s, `name=${encodeURIComponent(name)};uptime=1m`);
      await drainSamples(app.deps);
      expect((await site(s)).identity).toBe(name);
    }
  });

  it('does not let a router take over another site\'s serial number', async () => {
    const a = await buildSite(app, 'org-serial');
    const b = await buildSite(app, 'org-serial');
    await poll(app, a, 'serial-number=DUP-1;uptime=10s');
    await drainSamples(app.deps);
    await poll(app, b, 'serial-number=DUP-1;uptime=10s');
    await drainSamples(app.deps);
    expect((await site(a)).serial_number).toBe('DUP-1');
    expect((await site(b)).serial_number).toBeNull();
  });

  it('writes the samples a crashed worker had read but not acknowledged', async () => {
    const s = await buildSite(app);
    await poll(app, s, 'cpu-load=77;uptime=1m');
    const { entries: taken } = await app.deps.fleet.readNew('crashed-worker', 100);
    expect(taken.map((e) => e.siteId)).toContain(s.id);
    expect((await drainSamples(app.deps)).inserted).toBe(0);
    expect((await drainSamples(app.deps, { staleMs: 0 })).inserted).toBe(taken.length);
    expect(await streamLength()).toBe(0);
    const [p] = await stats(s, app.clock() - 60_000, app.clock() + 1_000);
    expect(p.cpu_load).toBe(77);
  });

  it('writes a batch twice without duplicating anything', async () => {
    const s = await buildSite(app);
    const at = new Date(app.clock());
    const rows = [{ siteId: s.id, at, cpuLoad: 1, memoryFree: 2, diskFree: 3, uptime: 4, rebooted: true }];
    expect(await insertBatch(app.deps.sql, rows)).toEqual({ inserted: 1, reboots: 1, recovered: 0, unknown: [], rebootedSites: [s.id], recoveredSites: [] });
    expect(await insertBatch(app.deps.sql, rows)).toEqual({ inserted: 0, reboots: 0, recovered: 0, unknown: [], rebootedSites: [], recoveredSites: [] });
  });

  it('skips the samples of a purged site and forgets it in Redis', async () => {
    const s = await buildSite(app);
    await poll(app, s);
    await app.deps.db.$executeRaw`DELETE FROM site WHERE id = ${s.id}::uuid`;
    expect(await drainSamples(app.deps)).toMatchObject({ forgotten: 1 });
    expect(await streamLength()).toBe(0);
    expect(await app.deps.redis.exists(app.keys.site(s.id))).toBe(0);
    const res = await app.request('POST', '/poll', { headers: { authorization: `Bearer ${s.token}` }, body: 'uptime=5s' });
    expect(res.status).toBe(401);
  });

  it('ignores figures that are not numbers instead of failing the batch', async () => {
    const s = await buildSite(app);
    await poll(app, s, 'cpu-load=high;free-memory=-5;free-hdd-space=99999999999999999999;uptime=3s');
    expect((await drainSamples(app.deps)).inserted).toBe(1);
    const [p] = await stats(s, app.clock() - 60_000, app.clock() + 1_000);
    expect(p).toMatchObject({ cpu_load: null, memory_free: null, disk_free: null, uptime: 3 });
  });
});

describe('GET /site/{siteId}/stats', () => {
  it('returns raw samples up to 48 hours and hourly averages beyond', async () => {
    const s = await buildSite(app);
    // Start just after an hour boundary so the first two samples share an hour.
    app.clock.advance(HOUR - (app.clock() % HOUR) + 60_000);
    const h0 = app.clock() - (app.clock() % HOUR);
    await poll(app, s, 'cpu-load=10;free-memory=1000;uptime=1h');
    app.clock.advance(10 * 60_000);
    await poll(app, s, 'cpu-load=20;free-memory=3000;uptime=1h10m');
    await drainSamples(app.deps);
    const raw = await stats(s, h0, h0 + HOUR);
    expect(raw.map((p) => p.cpu_load)).toEqual([10, 20]);
    app.clock.advance(HOUR);
    await poll(app, s, 'cpu-load=30;free-memory=5000;uptime=2h10m');
    app.clock.advance(60 * HOUR);
    await poll(app, s, 'cpu-load=40;free-memory=7000;uptime=62h10m');
    await drainSamples(app.deps);

    const hourly = await stats(s, h0, app.clock() + 1_000);
    expect(hourly.map((p) => [new Date(p.created_at).getTime() - h0, p.cpu_load, p.memory_free, p.uptime])).toEqual([
      [0, 15, 2000, 4200],
      [HOUR, 30, 5000, 7800],
      [61 * HOUR, 40, 7000, 223_800],
    ]);
    // An hour-long range older than the raw samples kept reads hourly too.
    expect((await stats(s, h0, h0 + HOUR)).map((p) => p.cpu_load)).toEqual([15]);
  });

  it('defaults to the last 24 hours and validates the range', async () => {
    const s = await buildSite(app);
    await poll(app, s, 'cpu-load=1;uptime=1s');
    await drainSamples(app.deps);
    const res = await app.request('GET', `/site/${s.id}/stats`, { token: s.auth });
    expect(res.body.map((p: any) => p.cpu_load)).toEqual([1]);
    const bad = [
      'from=yesterday',
      `from=${new Date(app.clock()).toISOString()}&to=${new Date(app.clock() - 1).toISOString()}`,
      'from=2020-01-01&to=2022-01-01',
      'limit=5',
    ];
    for (const q of bad) {
      const r = await app.request('GET', `/site/${s.id}/stats?${q}`, { token: s.auth });
      expect(r.status, q).toBe(400);
      expect(r.body.code, q).toBe('parameter_invalid');
    }
  });
});

describe('retention', () => {
  it('rolls raw samples up into hourly rows after SAMPLE_RAW_RETENTION_HOURS (plus at most a day), and drops those after SAMPLE_ROLLUP_RETENTION_DAYS', async () => {
    const s = await buildSite(app);
    app.clock.advance(HOUR - (app.clock() % HOUR) + 60_000);
    const h0 = app.clock() - (app.clock() % HOUR);
    await poll(app, s, 'cpu-load=10;free-memory=1000;uptime=1h');
    app.clock.advance(10 * 60_000);
    await poll(app, s, 'cpu-load=20;free-memory=3000;uptime=1h10m');
    await drainSamples(app.deps);
    const day = await stats(s, h0, h0 + 24 * HOUR);
    expect(day.map((p) => p.cpu_load)).toEqual([10, 20]);

    // Raw samples live in daily partitions dropped whole: kept at least the retention (48 h) and
    // at most a day more; whether rolled up yet or not, the hour reads the same.
    app.clock.advance(49 * HOUR);
    await pruneFleet(app.deps);
    expect((await stats(s, h0, app.clock())).map((p) => p.cpu_load)).toEqual([15]);
    app.clock.advance(24 * HOUR);
    expect((await pruneFleet(app.deps))?.samples).toBeGreaterThanOrEqual(2);
    // The raw samples are gone; the hour they were in reads the same from its rollup, for any range.
    const rows = await app.deps.db.siteSample.count({ where: { siteId: s.id } });
    expect(rows).toBe(0);
    for (const range of [[h0, h0 + 24 * HOUR], [h0, app.clock()]] as const) {
      const points = await stats(s, range[0], range[1]);
      expect(points.map((p) => [new Date(p.created_at).getTime(), p.cpu_load, p.memory_free, p.uptime])).toEqual([[h0, 15, 2000, 4200]]);
    }

    app.clock.advance(91 * 24 * HOUR);
    expect((await pruneFleet(app.deps))?.rollups).toBeGreaterThanOrEqual(1);
    expect(await stats(s, h0, h0 + 24 * HOUR)).toEqual([]);
  });
});
