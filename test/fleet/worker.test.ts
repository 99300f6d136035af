import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { buildSite, poll } from '../factories.js';

// The fleet tasks as the worker role schedules them (maintenance queue job schedulers).

let app: TestApp;
let worker: TestWorker;
beforeAll(async () => {
  app = await startApp({ env: { SAMPLE_DRAIN_INTERVAL_MS: '100', OFFLINE_SWEEP_INTERVAL_MS: '100' } });
  worker = await startWorker(app, ['maintenance']);
});
afterAll(async () => {
  await worker.close();
  await app.close();
});

describe('the worker role', () => {
  it('drains heartbeats into PostgreSQL and notices an outage on its own', async () => {
    const s = await buildSite(app);
    await poll(app, s, 'cpu-load=42;uptime=10s');
    const points = await eventually(async () => {
      const res = await app.request('GET', `/site/${s.id}/stats`, { token: s.auth });
      return res.body.length > 0 ? res.body : null;
    });
    expect(points[0].cpu_load).toBe(42);
    app.clock.advance(10 * 30_000 + 1_000);
    const faults = await eventually(async () => {
      const res = await app.request('GET', `/site/${s.id}/faults`, { token: s.auth });
      return res.body.length > 0 ? res.body : null;
    });
    expect(faults[0]).toMatchObject({ type: 'site_offline', status: 'unresolved' });
  });
});
